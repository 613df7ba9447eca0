import { Injectable, SetMetadata, applyDecorators } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { JobEntity, JobOutput } from './job.entity.js';
import type { JobInput, JobResult, JobType } from './job-types.js';

/** A job as its handler sees it: the stored row with the input and result of its type. */
export type Job<T extends JobType = JobType> = Omit<JobEntity, 'type' | 'input' | 'result'> & {
  type: T;
  input: JobInput<T>;
  result: JobResult<T> | null;
};

export interface TransferRate {
  speed_bps: number | null;
  eta_seconds: number | null;
}

export interface StoreOptions {
  /** Copy rather than move the file (an upload that other jobs may still read). */
  keepSource?: boolean;
}

/** What a running job may do besides its own work; given by the lifecycle, one per attempt. */
export interface JobContext {
  signal: AbortSignal;
  /** A directory of this attempt's own, removed when the attempt ends. */
  workDir: string;
  /** Overall progress 0–100 (throttled by the lifecycle), with the transfer rate when known. */
  progress(percent: number, rate?: TransferRate): void;
  /** The site the media turned out to come from (for filters and usage). */
  platform(platform: string): void;
  /**
   * Raises what the job is charged to `credits` in all when the account can pay the difference
   * (work found to be larger than planned); returns what it is charged afterwards — less than
   * asked when the account cannot pay, and the work must then stay within it.
   */
  reserve(credits: number, reason: string): Promise<number>;
  /** Marks `credits` of the charge as spent even if the job is canceled now (e.g. minutes sent to a paid provider). */
  commit(credits: number): Promise<void>;
  /**
   * A link to a stored output that works for as long as the job's outputs are kept (a file that
   * names another, like a storyboard's WebVTT naming its sprite sheets).
   */
  link(output: JobOutput): Promise<string>;
  /** Stores a produced file among the job's outputs (moved unless `keepSource`). */
  store(file: string, filename: string, kind: string, contentType: string, opts?: StoreOptions): Promise<JobOutput>;
}

/**
 * Statements run inside a job's settlement transaction: what `rows`, `firstRow` and the other
 * helpers of platform/database/sql.ts accept. Commit and rollback belong to the settlement.
 */
export type SqlRunner = QueryRunner;

/** What a handler returns: its result, its files, and what the work actually cost in credits. */
export interface JobOutcome<T extends JobType = JobType> {
  result: JobResult<T>;
  outputs: JobOutput[];
  /** Credits the work cost; anything charged above it is refunded when the job completes. */
  cost: number;
  /**
   * Effects of this job's own that must happen if, and only when, it completes (an account now
   * owns a transcript): run inside the completion transaction, after the job row is completed
   * and settled. Not run when the job had already ended (canceled meanwhile, or completed by
   * another run); a failure rolls the completion back and fails the attempt.
   */
  settle?: (tx: SqlRunner) => Promise<void>;
}

/** Runs one type of job in a worker. Expected failures throw `AppError`; faults throw anything. */
export interface JobHandler<T extends JobType = JobType> {
  run(job: Job<T>, ctx: JobContext): Promise<JobOutcome<T>>;
}

export const JOB_HANDLER = 'mediary:job-handler';

/** Marks a provider as the handler of a job type; the registry checks at boot that each type has one. */
export const HandlesJob = (type: JobType) => applyDecorators(Injectable(), SetMetadata(JOB_HANDLER, type));

export class CanceledError extends Error {
  constructor() {
    super('job canceled');
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { readTimeIdCursor, toPage } from '../../platform/http/pagination.js';
import { UUID } from '../../platform/ids.js';
import { creditsCharged, jobsSubmitted } from '../../platform/metrics.js';
import { QueueRepository, type MediaJobData } from '../../platform/tools/queue.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { settleCharge } from '../ledger/charge-outcome.js';
import { ChargesRepository } from '../ledger/charges.repository.js';
import { IdempotencyRepository } from '../ledger/idempotency.repository.js';
import type { Job } from './job-handler.js';
import { JobLifecycleService } from './job-lifecycle.service.js';
import { filePath } from './job-outputs.js';
import { TERMINAL_STATUSES, type JobInput, type JobType } from './job-types.js';
import type { JobEntity } from './job.entity.js';
import { JobRepository, type JobFilters } from './job.repository.js';

const ENQUEUE_TIMEOUT_MS = 2000;

export interface JobView {
  id: string;
  type: JobType;
  status: string;
  progress: number;
  platform: string | null;
  batch_id: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  credits_charged: number;
  credits_refunded: number;
  input: Record<string, unknown>;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
}

/**
 * What a job is charged: a flat price is all committed once the job starts; a per-minute
 * reservation commits only `committed` (its base) and gives the rest back if canceled mid-run.
 */
export interface Reservation {
  price: number;
  committed?: number;
}

/** A job's life on the API side: charge and enqueue; read; cancel or delete; present. */
@Injectable()
export class JobsService {
  private readonly deletedListeners: Array<[string, (job: JobEntity) => Promise<void>]> = [];

  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly jobs: JobRepository,
    private readonly charges: ChargesRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly queue: QueueRepository,
    private readonly storage: StorageRepository,
    private readonly lifecycle: JobLifecycleService,
  ) {}

  /**
   * Charges and records the job in one transaction, then enqueues it. If Redis is down after
   * the commit, the job is still accepted: the sweeper enqueues committed jobs Redis lost.
   */
  async submit<T extends JobType>(accountId: string, type: T, input: JobInput<T>, charge: number | Reservation, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const earlier = await this.replay(accountId, idem);
    if (earlier) return earlier;
    const { price, committed } = typeof charge === 'number' ? { price: charge, committed: undefined } : charge;
    const id = randomUUID();
    const response: StoredResponse = { statusCode: 202, body: { job_id: id, status: 'pending', credits_charged: price } };
    const outcome = await this.charges.chargeJob({ id, accountId, type, input, price, committed }, idem, response);
    const settled = settleCharge(outcome, price, response);
    if (outcome.kind === 'charged') {
      jobsSubmitted.inc({ type });
      creditsCharged.inc({ operation: type }, price);
      await this.enqueueSoon([{ jobId: id, type }]);
    }
    return settled;
  }

  /** The first response to a repeated Idempotency-Key (or 409 for another body), before any work. */
  async replay(accountId: string, idem: IdempotencyInput | null): Promise<StoredResponse | null> {
    const earlier = idem ? await this.idempotency.findReplay(accountId, idem) : null;
    return earlier ? settleCharge(earlier, 0) : null;
  }

  /** Enqueues committed jobs, giving up quickly if Redis is away (the sweeper retries). */
  async enqueueSoon(jobs: MediaJobData[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        jobs.length === 1 ? this.queue.enqueue(jobs[0]!) : this.queue.enqueueMany(jobs),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('enqueue timed out')), ENQUEUE_TIMEOUT_MS))),
      ]);
    } catch (err) {
      this.logger.warn(`${jobs.length} job(s) committed but not enqueued (${(err as Error).message}); the sweeper will enqueue them`);
    } finally {
      clearTimeout(timer);
    }
  }

  async get(accountId: string, id: string): Promise<JobView> {
    return this.view(await this.owned(accountId, id));
  }

  async list(accountId: string, filters: JobFilters, cursor: string | undefined, limit: number): Promise<{ data: JobView[]; next_cursor: string | null }> {
    const rows = await this.jobs.list(accountId, filters, readTimeIdCursor(cursor), limit + 1);
    const page = toPage(rows, limit, (j) => [j.createdAt.toISOString(), j.id]);
    return { data: await Promise.all(page.rows.map((j) => this.view(j))), next_cursor: page.next_cursor };
  }

  /**
   * Cancels a job that has not finished (refunded if it never started; a running process is
   * stopped), or deletes the outputs of a finished one.
   */
  async cancelOrDelete(accountId: string, id: string): Promise<JobView> {
    const job = await this.owned(accountId, id);
    if (!TERMINAL_STATUSES.has(job.status)) await this.lifecycle.cancel(id);
    const current = (await this.jobs.find(id))!;
    if (TERMINAL_STATUSES.has(current.status) && !current.outputsDeletedAt) await this.lifecycle.deleteOutputs(current);
    if (TERMINAL_STATUSES.has(current.status)) for (const [, listener] of this.deletedListeners) await listener(current);
    return this.view((await this.jobs.find(id))!);
  }

  /**
   * Called when an account deletes one of its finished jobs (not when outputs expire): what a
   * module keeps of a job besides its files goes with it (a fingerprint leaves the library).
   */
  onDeleted(name: string, listener: (job: JobEntity) => Promise<void>): void {
    this.deletedListeners.push([name, listener]);
  }

  /** An account's job; another account's is indistinguishable from one that does not exist. */
  async owned(accountId: string, id: string): Promise<JobEntity> {
    const job = UUID.test(id) ? await this.jobs.findForAccount(accountId, id) : null;
    if (!job) throw new AppError('not_found', 'No such job');
    return job;
  }

  /** An account's job of one of `types`, typed by it; null when there is no such job. */
  async ownedOf<T extends JobType>(accountId: string, id: string, ...types: T[]): Promise<Job<T> | null> {
    const job = UUID.test(id) ? await this.jobs.findForAccount(accountId, id) : null;
    return job && (types as JobType[]).includes(job.type) ? (job as unknown as Job<T>) : null;
  }

  /** A job as clients see it: outputs as links (signed API paths, or presigned S3 URLs). */
  async view(job: JobEntity): Promise<JobView> {
    let result = job.result;
    if (result && job.status === 'completed') {
      const expiresAt = job.expiresAt ?? new Date();
      const files = job.outputsDeletedAt
        ? []
        : await Promise.all(
            job.outputs.map(async (o) => ({
              kind: o.kind,
              filename: o.filename,
              url: await this.storage.link({ key: o.key, filename: o.filename, contentType: o.content_type, expiresAt, apiPath: filePath(job.id, o.filename) }),
              content_type: o.content_type,
              size: o.size,
              ...(o.width !== undefined ? { width: o.width, height: o.height } : {}),
              ...(o.duration !== undefined ? { duration: o.duration } : {}),
              expires_at: expiresAt.toISOString(),
            })),
          );
      result = { ...result, files, outputs_deleted: job.outputsDeletedAt !== null };
    }
    return {
      id: job.id,
      type: job.type,
      status: job.status,
      progress: job.progress,
      platform: job.platform,
      batch_id: job.batchId,
      created_at: job.createdAt.toISOString(),
      started_at: job.startedAt?.toISOString() ?? null,
      completed_at: job.completedAt?.toISOString() ?? null,
      credits_charged: job.creditsCharged,
      credits_refunded: job.creditsRefunded,
      input: job.input,
      result,
      error: job.error,
    };
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CONFIG, type Config } from '../../config.js';
import type { JobEntity } from './job.entity.js';
import { TERMINAL_STATUSES, type JobType } from './job-types.js';
import { AppError } from '../../errors.js';
import { JobRepository, type JobFilters } from './job.repository.js';
import { LedgerRepository, type IdempotencyInput, type StoredResponse } from '../ledger/ledger.repository.js';
import { QueueRepository, type MediaJobData } from '../../platform/tools/queue.repository.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { creditsCharged, jobsSubmitted } from '../../platform/metrics.js';
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.js';
import { jobEventsChannel } from './job-events.js';
import { UUID } from '../accounts/accounts.service.js';
import { settleCharge } from '../ledger/charge-outcome.js';

export const CANCEL_CHANNEL = 'job-cancel';
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

/** A job's life on the API side: price, charge and enqueue; read; cancel; present. */
@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobRepository,
    private readonly ledger: LedgerRepository,
    private readonly queue: QueueRepository,
    private readonly storage: StorageRepository,
    private readonly redis: RedisRepository,
  ) {}

  /**
   * Charges and records the job in one transaction, then enqueues it. If Redis is down after
   * the commit, the job is still accepted: the sweeper enqueues committed jobs Redis lost.
   */
  async submit(
    accountId: string,
    type: JobType,
    input: Record<string, unknown>,
    price: number,
    idem: IdempotencyInput | null,
  ): Promise<StoredResponse> {
    if (idem) {
      const earlier = await this.ledger.findReplay(accountId, idem);
      if (earlier) return settleCharge(earlier, price);
    }
    const id = randomUUID();
    const response: StoredResponse = { statusCode: 202, body: { job_id: id, status: 'pending', credits_charged: price } };
    const outcome = await this.ledger.createChargedJob({ id, accountId, type, platform: null, input, price }, idem, response);
    const settled = settleCharge(outcome, price, response);
    if (outcome.kind === 'charged') {
      jobsSubmitted.inc({ type });
      creditsCharged.inc({ operation: type }, price);
      await this.enqueueSoon([{ jobId: id, type }]);
    }
    return settled;
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

  async list(
    accountId: string,
    filters: JobFilters,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ data: JobView[]; next_cursor: string | null }> {
    let after = null;
    if (cursor) {
      const parts = decodeCursor(cursor, 2);
      if (!parts || typeof parts[0] !== 'string' || typeof parts[1] !== 'string' || Number.isNaN(Date.parse(parts[0]))) {
        throw new AppError('validation_failed', 'cursor is not valid');
      }
      after = { createdAt: parts[0], id: parts[1] };
    }
    const rows = await this.jobs.list(accountId, filters, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: await Promise.all(page.map((j) => this.view(j))),
      next_cursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  /**
   * Cancels a job that has not finished (refunded if it never started; a running process is
   * stopped), or deletes the outputs of a finished one.
   */
  async cancelOrDelete(accountId: string, id: string): Promise<JobView> {
    const job = await this.owned(accountId, id);
    if (!TERMINAL_STATUSES.has(job.status) && (await this.ledger.endUnsuccessfully(id, 'canceled', null, 'if_unstarted'))) {
      await Promise.allSettled([
        this.queue.remove(id),
        this.redis.publish(CANCEL_CHANNEL, id),
        this.redis.publish(jobEventsChannel(id), JSON.stringify({ status: 'canceled' })),
      ]);
    }
    const current = (await this.jobs.find(id))!;
    if (TERMINAL_STATUSES.has(current.status) && !current.outputsDeletedAt) {
      await this.storage.deletePrefix(outputPrefix(accountId, id));
      await this.jobs.markOutputsDeleted(id);
    }
    return this.view((await this.jobs.find(id))!);
  }

  private async owned(accountId: string, id: string): Promise<JobEntity> {
    // Another account's job is indistinguishable from one that does not exist.
    const job = UUID.test(id) ? await this.jobs.findForAccount(accountId, id) : null;
    if (!job) throw new AppError('not_found', 'No such job');
    return job;
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

export function outputPrefix(accountId: string, jobId: string): string {
  return `outputs/${accountId}/${jobId}`;
}

export function filePath(jobId: string, filename: string): string {
  return `/v1/files/${jobId}/${encodeURIComponent(filename)}`;
}

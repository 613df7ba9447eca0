import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { QueueRepository } from '../../platform/tools/queue.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { IdempotencyRepository } from '../ledger/idempotency.repository.js';
import { UploadsService } from '../uploads/uploads.service.js';
import { JobLifecycleService } from './job-lifecycle.service.js';
import { JobRepository } from './job.repository.js';
import { RetentionRepository } from './retention.repository.js';

/**
 * How much one sweep deletes of each kind: batches of this many rows (each its own short
 * statement, so deleting never holds locks for long), at most this many batches per sweep; a
 * backlog is worked off over the following sweeps.
 */
export const RETENTION_BATCH = 500;
export const RETENTION_BATCHES_PER_SWEEP = 10;

/**
 * A scratch directory untouched for this long, and for twice JOB_TIMEOUT_SECONDS (no attempt runs
 * longer), belongs to no running attempt or upload.
 */
const ABANDONED_WORK_MIN_SECONDS = 24 * 3600;

/** A repair or retention step another module adds to every sweep. */
export type SweepTask = () => Promise<void>;

/**
 * Periodic repairs, safe to run in every worker process at once:
 * - re-enqueue committed jobs Redis never got (or lost);
 * - fail and refund jobs BullMQ gave up on while no worker was listening;
 * - delete, in bounded batches, what is past its retention: outputs, the files of failed and
 *   canceled jobs, scratch directories of attempts whose process died, uploads, old idempotency
 *   records, stored transcripts;
 * - whatever other modules register (the webhook outbox and its retention).
 * Each step's failure is logged and leaves the others to run.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SweeperService.name);
  private readonly tasks: Array<[string, SweepTask]> = [];
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobRepository,
    private readonly queue: QueueRepository,
    private readonly lifecycle: JobLifecycleService,
    private readonly uploads: UploadsService,
    private readonly idempotency: IdempotencyRepository,
    private readonly retention: RetentionRepository,
    private readonly storage: StorageRepository,
  ) {}

  /** Adds a step to every sweep, after the sweeper's own, in registration order. */
  register(name: string, task: SweepTask): void {
    this.tasks.push([name, task]);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.worker.sweepIntervalSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const steps: Array<[string, SweepTask]> = [
        ['lost jobs', () => this.repairUnfinished()],
        ['expired outputs', () => this.deleteExpiredOutputs()],
        ['files of failed jobs', () => this.deleteFailedJobsFiles()],
        ['abandoned work directories', () => this.deleteAbandonedWork()],
        ['expired uploads', () => this.uploads.deleteExpired(RETENTION_BATCH, RETENTION_BATCHES_PER_SWEEP).then(() => undefined)],
        ['idempotency records', () => this.idempotency.deleteOlderThan(24)],
        ['stored transcripts', () => this.deleteOldTranscripts()],
        ...this.tasks,
      ];
      for (const [name, step] of steps) {
        await step().catch((err: Error) => this.logger.warn(`sweep (${name}) failed: ${err.message}`));
      }
    } finally {
      this.running = false;
    }
  }

  private async repairUnfinished(): Promise<void> {
    for (const { id, type } of await this.jobs.unfinishedOlderThan(this.config.worker.enqueueGraceSeconds, 500)) {
      const queued = await this.queue.inspect(id);
      if (queued === null) {
        this.logger.warn(`job ${id} was not in the queue; enqueueing it`);
        await this.queue.enqueue({ jobId: id, type });
      } else if (queued.state === 'failed' || queued.state === 'completed') {
        await this.lifecycle.fail(id, queued.decided ?? { code: 'internal_error', message: 'The job could not be completed' });
      }
    }
  }

  private async deleteExpiredOutputs(): Promise<void> {
    for (let i = 0; i < RETENTION_BATCHES_PER_SWEEP; i++) {
      const expired = await this.jobs.withExpiredOutputs(RETENTION_BATCH);
      for (const job of expired) await this.lifecycle.deleteOutputs(job);
      if (expired.length < RETENTION_BATCH) return;
    }
  }

  /** Nobody can fetch the files of a failed or canceled job; they go FAILED_OUTPUT_RETENTION_HOURS after it ended. */
  private async deleteFailedJobsFiles(): Promise<void> {
    for (let i = 0; i < RETENTION_BATCHES_PER_SWEEP; i++) {
      const ended = await this.retention.endedWithFiles(this.config.retention.failedOutputSeconds, RETENTION_BATCH);
      for (const job of ended) await this.lifecycle.deleteOutputs(job);
      if (ended.length < RETENTION_BATCH) return;
    }
  }

  /** This machine's scratch directories left by attempts that died with their process (a finished attempt removes its own). */
  private async deleteAbandonedWork(): Promise<void> {
    const olderThanSeconds = Math.max(ABANDONED_WORK_MIN_SECONDS, 2 * this.config.worker.jobTimeoutSeconds);
    const removed = await this.storage.removeStaleWorkDirs(olderThanSeconds * 1000, RETENTION_BATCH);
    if (removed.length > 0) this.logger.log(`removed ${removed.length} abandoned work directories`);
  }

  /** Stored transcripts past TRANSCRIPT_RETENTION_DAYS; asking for one of them again is charged again. */
  private async deleteOldTranscripts(): Promise<void> {
    for (let i = 0; i < RETENTION_BATCHES_PER_SWEEP; i++) {
      if ((await this.retention.deleteTranscriptsOlderThan(this.config.retention.transcriptDays, RETENTION_BATCH)) < RETENTION_BATCH) return;
    }
  }
}

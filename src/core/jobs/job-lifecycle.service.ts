import { Inject, Injectable, Logger } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { jobsSettled } from '../../platform/metrics.js';
import { QueueRepository } from '../../platform/tools/queue.repository.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { ChargesRepository } from '../ledger/charges.repository.js';
import { JobSettlementRepository, type AfterSettled } from '../ledger/job-settlement.repository.js';
import { CanceledError, type JobContext, type JobOutcome, type SqlRunner } from './job-handler.js';
import { jobEventsChannel, type JobEvent } from './job-events.js';
import { filePath, outputPrefix } from './job-outputs.js';
import type { JobEntity, JobError } from './job.entity.js';
import { JobRepository } from './job.repository.js';

/** Workers listen here for jobs canceled anywhere, and stop them. */
export const CANCEL_CHANNEL = 'job-cancel';

const PROGRESS_MIN_INTERVAL_MS = 1000;

/** Reacts to a job event (webhooks, batches); a listener's failure never reaches the job. */
export type JobListener = (job: JobEntity) => Promise<void>;

/**
 * Runs inside the transaction of a job's final transition, with the row as settled: what it
 * writes commits with the transition, and its failure rolls the transition back.
 */
export type SettlingHook = (tx: SqlRunner, job: JobEntity) => Promise<void>;

/**
 * The one place a job changes state: started, progressed, completed, failed, canceled, and
 * settled with it (refund of an unused reservation or of a failure, in the same transaction).
 * What must commit with an end (an outbox of webhook deliveries) is written by settling hooks
 * inside that transaction. Each end is announced once, after it is committed: live events and
 * metrics here, webhooks and batches through the listeners they register, so none of them
 * import each other.
 */
@Injectable()
export class JobLifecycleService {
  private readonly logger = new Logger(JobLifecycleService.name);
  private readonly endListeners: Array<[string, JobListener]> = [];
  private readonly settlingHooks: Array<[string, SettlingHook]> = [];
  private readonly progressListeners: Array<[string, JobListener]> = [];
  private readonly outputsDeletedListeners: Array<[string, JobListener]> = [];

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobRepository,
    private readonly settlement: JobSettlementRepository,
    private readonly charges: ChargesRepository,
    private readonly queue: QueueRepository,
    private readonly storage: StorageRepository,
    private readonly redis: RedisRepository,
  ) {}

  /**
   * Called inside the transaction of every final transition (completed, failed, canceled), in
   * registration order, after the handler's own `settle`. Unlike an `onEnded` listener, a hook
   * that throws rolls the transition back: the job stays as it was and the caller sees the error.
   */
  onSettling(name: string, hook: SettlingHook): void {
    this.settlingHooks.push([name, hook]);
  }

  /** Called once for every job that ends (completed, failed or canceled), after it is committed, in registration order. */
  onEnded(name: string, listener: JobListener): void {
    this.endListeners.push([name, listener]);
  }

  /** Called when a running job passes another tenth of its progress. */
  onProgressed(name: string, listener: JobListener): void {
    this.progressListeners.push([name, listener]);
  }

  /**
   * Called when a job's outputs are deleted, before they are marked so: what a module keeps of
   * the outputs outside storage (a comments job's rows) goes with the files. A listener that
   * throws leaves the outputs unmarked, and the sweeper deletes them again later.
   */
  onOutputsDeleted(name: string, listener: JobListener): void {
    this.outputsDeletedListeners.push([name, listener]);
  }

  /** pending|processing → processing for a new attempt; null when the job has ended meanwhile. */
  async start(jobId: string): Promise<JobEntity | null> {
    const job = await this.jobs.start(jobId);
    if (job) await this.publish(job.id, { status: 'processing', progress: job.progress });
    return job;
  }

  /** What a handler may do while it runs: report progress (throttled), name the platform, store outputs. */
  context(job: JobEntity, signal: AbortSignal, workDir: string): JobContext {
    let lastWrite = 0;
    let lastPercent = job.progress;
    let lastTenth = Math.floor(job.progress / 10);
    let charged = job.creditsCharged - job.creditsRefunded;
    return {
      signal,
      workDir,
      platform: (platform) => void this.jobs.setPlatform(job.id, platform).catch(() => undefined),
      progress: (percent, rate) => {
        const now = Date.now();
        if (percent - lastPercent < 1 || now - lastWrite < PROGRESS_MIN_INTERVAL_MS) return;
        lastWrite = now;
        lastPercent = percent;
        void this.jobs.setProgress(job.id, percent).catch(() => undefined);
        void this.publish(job.id, { status: 'processing', progress: Math.floor(percent), ...rate });
        if (Math.floor(percent / 10) > lastTenth) {
          lastTenth = Math.floor(percent / 10);
          void this.announce(this.progressListeners, job.id);
        }
      },
      reserve: async (credits, reason) => {
        if (credits <= charged) return charged;
        const now = await this.charges.topUp(job.id, credits, reason);
        if (now === null) throw new CanceledError();
        charged = now;
        return charged;
      },
      commit: (credits) => this.charges.commit(job.id, credits),
      link: (output) => {
        // Outputs are kept this long from completion, which is later than now: the link never outlives the file.
        const expiresAt = new Date(Date.now() + this.config.outputTtlSeconds * 1000);
        return this.storage.link({ key: output.key, filename: output.filename, contentType: output.content_type, expiresAt, apiPath: filePath(job.id, output.filename) });
      },
      store: async (file, filename, kind, contentType, opts = {}) => {
        // Under this attempt's own folder: a run that lost its lock and still finishes can never
        // overwrite the files of the run that replaced it (the job's record names the winner's).
        const key = `${outputPrefix(job.accountId, job.id)}/${job.attempts}/${filename}`;
        const size = await this.storage.putFile(key, file, { keepSource: opts.keepSource, contentType });
        return { kind, key, filename, content_type: contentType, size };
      },
    };
  }

  /** processing → completed with the handler's outcome, refunding what the work did not cost. */
  async complete(job: JobEntity, outcome: JobOutcome): Promise<void> {
    const expiresAt = new Date(Date.now() + this.config.outputTtlSeconds * 1000);
    const completed = await this.settlement.complete(job.id, outcome, expiresAt, this.settling(outcome.settle));
    if (completed) {
      await this.ended(job.id, 'completed', undefined, completed);
      return;
    }
    // Canceled while it ran: what it stored is nobody's.
    const current = await this.jobs.find(job.id);
    if (current?.status === 'canceled') await this.deleteOutputs(current);
  }

  /** → failed and refunded; a no-op when the job has already ended. */
  async fail(jobId: string, error: JobError): Promise<void> {
    if (await this.settlement.end(jobId, 'failed', error, this.settling())) await this.ended(jobId, 'failed', error);
  }

  /** → canceled (refunded if it had not started), and stopped wherever it runs. False when it had already ended. */
  async cancel(jobId: string): Promise<boolean> {
    if (!(await this.settlement.end(jobId, 'canceled', null, this.settling()))) return false;
    await Promise.allSettled([this.queue.remove(jobId), this.redis.publish(CANCEL_CHANNEL, jobId)]);
    await this.ended(jobId, 'canceled');
    return true;
  }

  /** The job as stored now. */
  find(jobId: string): Promise<JobEntity | null> {
    return this.jobs.find(jobId);
  }

  /** Deletes a job's stored outputs (retention, DELETE on a finished job, a canceled run's leftovers). */
  async deleteOutputs(job: JobEntity): Promise<void> {
    await this.storage.deletePrefix(outputPrefix(job.accountId, job.id));
    for (const [, listener] of this.outputsDeletedListeners) await listener(job);
    await this.jobs.markOutputsDeleted(job.id);
  }

  /**
   * What runs inside a final transition: the handler's `settle`, then every settling hook. A
   * failure is logged with the hook's name and thrown as it is, so the caller's retry rules apply.
   * Undefined when there is nothing to run, so the completion stays one statement.
   */
  private settling(settle?: JobOutcome['settle']): AfterSettled | undefined {
    if (!settle && this.settlingHooks.length === 0) return undefined;
    const hooks = this.settlingHooks.slice();
    return async (tx, job) => {
      if (settle) await settle(tx);
      for (const [name, hook] of hooks) {
        try {
          await hook(tx, job);
        } catch (err) {
          this.logger.warn(`${name} could not settle job ${job.id}, which stays as it was: ${(err as Error).message}`);
          throw err;
        }
      }
    };
  }

  /** Announces an end; `row` is the job as its settlement left it, when the settlement returned it. */
  private async ended(jobId: string, status: 'completed' | 'failed' | 'canceled', error?: JobError, row?: JobEntity): Promise<void> {
    jobsSettled.inc({ status, code: error?.code ?? '' });
    await this.publish(jobId, status === 'completed' ? { status, progress: 100 } : { status, ...(error ? { error } : {}) });
    await this.announce(this.endListeners, jobId, row);
  }

  private async announce(listeners: Array<[string, JobListener]>, jobId: string, row?: JobEntity): Promise<void> {
    if (listeners.length === 0) return;
    const job = row ?? (await this.jobs.find(jobId).catch(() => null));
    if (!job) return;
    for (const [name, listener] of listeners) {
      try {
        await listener(job);
      } catch (err) {
        this.logger.warn(`${name} of job ${jobId}: ${(err as Error).message}`);
      }
    }
  }

  private async publish(jobId: string, event: JobEvent): Promise<void> {
    await this.redis.publish(jobEventsChannel(jobId), JSON.stringify(event)).catch(() => undefined);
  }
}

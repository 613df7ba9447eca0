import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job as BullJob } from 'bullmq';
import { CONFIG, type Config } from '../../config.js';
import type { JobEntity } from './job.entity.js';
import { QueueName, type JobType } from './job-types.js';
import { JobRepository } from './job.repository.js';
import { LedgerRepository } from '../ledger/ledger.repository.js';
import type { MediaJobData } from '../../platform/tools/queue.repository.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { BatchesService } from '../batches/batches.service.js';
import { CanceledError, DownloadService, type JobOutcome, type JobRun } from '../../modules/download/download.handler.js';
import { CANCEL_CHANNEL, outputPrefix } from './jobs.service.js';
import { TranscribeService } from '../../modules/transcribe/transcribe.handler.js';
import { TranslateService } from '../../modules/translate/translate.handler.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { jobsSettled } from '../../platform/metrics.js';
import { jobEventsChannel } from './job-events.js';
import { decideFailure } from './retry-policy.js';
import { bullConnection } from '../../platform/tools/bull-connection.js';

const PROGRESS_MIN_INTERVAL_MS = 1000;

/**
 * Runs media jobs from BullMQ and settles each one: completed with its outputs, retried, or
 * failed and refunded. This is the only place that decides between retry and final failure.
 */
@Injectable()
export class MediaWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MediaWorker.name);
  private worker: Worker<MediaJobData> | null = null;
  private readonly running = new Map<string, AbortController>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobRepository,
    private readonly ledger: LedgerRepository,
    private readonly storage: StorageRepository,
    private readonly redis: RedisRepository,
    private readonly downloads: DownloadService,
    private readonly transcriber: TranscribeService,
    private readonly translator: TranslateService,
    private readonly webhooks: WebhooksService,
    private readonly batches: BatchesService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.redis.subscribe(CANCEL_CHANNEL, (jobId) => this.running.get(jobId)?.abort());
    const lockMs = this.config.worker.lockSeconds * 1000;
    this.worker = new Worker<MediaJobData>(QueueName.Media, (job) => this.handle(job), {
      connection: bullConnection(this.config.redisUrl),
      prefix: this.config.redisPrefix,
      concurrency: this.config.worker.concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 2,
    });
    this.worker.on('failed', (job, err) => void this.onFailed(job, err));
    this.worker.on('error', (err) => this.logger.error(`worker error: ${err.message}`));
    this.logger.log(`media worker started (concurrency ${this.config.worker.concurrency})`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.worker?.close();
  }

  private runner(type: JobType): { run(job: JobEntity, run: JobRun): Promise<JobOutcome> } {
    switch (type) {
      case 'download':
        return this.downloads;
      case 'transcribe':
        return this.transcriber;
      case 'translate':
        return this.translator;
    }
  }

  private async handle(bull: BullJob<MediaJobData>): Promise<void> {
    const job = await this.jobs.start(bull.data.jobId);
    if (!job) return; // canceled or already settled: nothing to do
    const controller = new AbortController();
    this.running.set(job.id, controller);
    await this.publish(job.id, { status: 'processing', progress: job.progress });
    let lastWrite = 0;
    let lastPercent = job.progress;
    let lastTenth = Math.floor(job.progress / 10);
    try {
      const outcome = await this.runner(job.type).run(job, {
        signal: controller.signal,
        platform: (p) => void this.jobs.setPlatform(job.id, p).catch(() => undefined),
        progress: (percent, rate) => {
          const now = Date.now();
          if (percent - lastPercent < 1 || now - lastWrite < PROGRESS_MIN_INTERVAL_MS) return;
          lastWrite = now;
          lastPercent = percent;
          void this.jobs.setProgress(job.id, percent).catch(() => undefined);
          void this.publish(job.id, { status: 'processing', progress: Math.floor(percent), ...rate });
          if (Math.floor(percent / 10) > lastTenth) {
            lastTenth = Math.floor(percent / 10);
            void this.webhooks.safely(`progress webhook of ${job.id}`, () => this.webhooks.jobProgressed(job.id));
          }
        },
      });
      const expiresAt = new Date(Date.now() + this.config.outputTtlSeconds * 1000);
      if (await this.ledger.completeJob(job.id, outcome.result, outcome.outputs, expiresAt, outcome.refund ?? 0)) {
        jobsSettled.inc({ status: 'completed', code: '' });
        await this.publish(job.id, { status: 'completed', progress: 100 });
        await this.webhooks.safely(`webhook of ${job.id}`, () => this.webhooks.jobEnded(job.id));
        await this.webhooks.safely(`batch of ${job.id}`, () => this.batches.jobEnded(job.id));
      } else {
        await this.storage.deletePrefix(outputPrefix(job.accountId, job.id)); // canceled while running
      }
    } catch (err) {
      if (err instanceof CanceledError || controller.signal.aborted) return;
      const decision = decideFailure(err, bull.attemptsMade, bull.opts.attempts ?? 1);
      if (decision.action === 'retry') {
        this.logger.warn(`job ${job.id} attempt ${bull.attemptsMade + 1} failed, will retry: ${(err as Error).message}`);
        throw err;
      }
      if (decision.code === 'internal_error') this.logger.error(`job ${job.id} failed: ${(err as Error).stack ?? String(err)}`);
      await this.fail(job.id, decision.code, decision.message);
    } finally {
      this.running.delete(job.id);
    }
  }

  /** BullMQ gave up on a job (attempts exhausted, or stalled too often after worker crashes). */
  private async onFailed(bull: BullJob<MediaJobData> | undefined, err: Error): Promise<void> {
    if (!bull) return;
    const exhausted = bull.attemptsMade >= (bull.opts.attempts ?? 1) || /stalled/i.test(err.message);
    if (exhausted) await this.fail(bull.data.jobId, 'internal_error', 'The job could not be completed').catch(() => undefined);
  }

  async fail(jobId: string, code: string, message: string): Promise<void> {
    if (await this.ledger.endUnsuccessfully(jobId, 'failed', { code, message }, 'always')) {
      jobsSettled.inc({ status: 'failed', code });
      await this.publish(jobId, { status: 'failed', error: { code, message } });
      await this.webhooks.safely(`webhook of ${jobId}`, () => this.webhooks.jobEnded(jobId));
      await this.webhooks.safely(`batch of ${jobId}`, () => this.batches.jobEnded(jobId));
    }
  }

  private async publish(jobId: string, event: Record<string, unknown>): Promise<void> {
    await this.redis.publish(jobEventsChannel(jobId), JSON.stringify(event)).catch(() => undefined);
  }
}

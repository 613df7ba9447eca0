import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job as BullJob } from 'bullmq';
import { CONFIG, type Config } from '../../config.js';
import { bullConnection } from '../../platform/tools/bull-connection.js';
import { QueueName, type MediaJobData } from '../../platform/tools/queue.repository.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { CanceledError, type Job } from './job-handler.js';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { CANCEL_CHANNEL, JobLifecycleService } from './job-lifecycle.service.js';
import { decideFailure } from './retry-policy.js';

/**
 * Takes media jobs from BullMQ and runs each with the handler of its type, in a work directory
 * of its attempt. This is the only place that decides between retry and final failure; the
 * lifecycle settles whichever it is.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobWorker.name);
  private worker: Worker<MediaJobData> | null = null;
  private readonly running = new Map<string, AbortController>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly registry: JobHandlerRegistry,
    private readonly lifecycle: JobLifecycleService,
    private readonly storage: StorageRepository,
    private readonly redis: RedisRepository,
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
    this.worker.on('failed', (job, err) => void this.onFailed(job, err).catch((e: Error) => this.logger.error(`settling failed job: ${e.message}`)));
    this.worker.on('error', (err) => this.logger.error(`worker error: ${err.message}`));
    this.logger.log(`media worker started (concurrency ${this.config.worker.concurrency})`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.worker?.close();
  }

  private async handle(bull: BullJob<MediaJobData>): Promise<void> {
    const job = await this.lifecycle.start(bull.data.jobId);
    if (!job) return; // canceled or already settled: nothing to do
    const controller = new AbortController();
    this.running.set(job.id, controller);
    const attemptDir = `${job.id}-${job.attempts}`;
    try {
      const workDir = await this.storage.workDir(attemptDir);
      const outcome = await this.registry.get(job.type).run(job as unknown as Job, this.lifecycle.context(job, controller.signal, workDir));
      await this.lifecycle.complete(job, outcome);
    } catch (err) {
      if (err instanceof CanceledError || controller.signal.aborted) return;
      const decision = decideFailure(err, bull.attemptsMade, bull.opts.attempts ?? 1);
      if (decision.action === 'retry') {
        this.logger.warn(`job ${job.id} attempt ${bull.attemptsMade + 1} failed, will retry: ${(err as Error).message}`);
        throw err;
      }
      if (decision.code === 'internal_error') this.logger.error(`job ${job.id} failed: ${(err as Error).stack ?? String(err)}`);
      await this.lifecycle.fail(job.id, { code: decision.code, message: decision.message });
    } finally {
      this.running.delete(job.id);
      // Cleaning up must not turn the job's outcome into another one.
      await this.storage.removeWorkDir(attemptDir).catch((err: Error) => this.logger.warn(`work directory of job ${job.id} not removed: ${err.message}`));
    }
  }

  /** BullMQ gave up on a job (attempts exhausted, or stalled too often after worker crashes). */
  private async onFailed(bull: BullJob<MediaJobData> | undefined, err: Error): Promise<void> {
    if (!bull) return;
    const exhausted = bull.attemptsMade >= (bull.opts.attempts ?? 1) || /stalled/i.test(err.message);
    if (exhausted) await this.lifecycle.fail(bull.data.jobId, { code: 'internal_error', message: 'The job could not be completed' });
  }
}

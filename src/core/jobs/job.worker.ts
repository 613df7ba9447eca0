import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, UnrecoverableError, Worker, type Job as BullJob } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { CONFIG, type Config } from '../../config.js';
import { isDependencyDown } from '../../errors.js';
import { bullConnection } from '../../platform/tools/bull-connection.js';
import { QueueName, type MediaJobData } from '../../platform/tools/queue.repository.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { CanceledError, type Job } from './job-handler.js';
import { JobHandlerRegistry } from './job-handler.registry.js';
import { CANCEL_CHANNEL, JobLifecycleService } from './job-lifecycle.service.js';
import { decideFailure, type Outage } from './retry-policy.js';

/** How long the worker waits for Postgres and Redis to answer when it asks whether they are up. */
const PROBE_TIMEOUT_MS = 2000;
/** Pauses between tries to record a finished job while the database is away. */
const SETTLE_RETRY_MIN_MS = 500;
const SETTLE_RETRY_MAX_MS = 5000;

/**
 * Takes media jobs from BullMQ and runs each with the handler of its type, in a work directory
 * of its attempt. This is the only place that decides between retry, waiting out an outage of
 * Postgres or Redis, and final failure; the lifecycle settles whichever it is.
 */
@Injectable()
export class JobWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobWorker.name);
  private worker: Worker<MediaJobData> | null = null;
  private readonly running = new Map<string, AbortController>();
  private unsubscribe: (() => void) | null = null;
  private closing = false;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: JobHandlerRegistry,
    private readonly lifecycle: JobLifecycleService,
    private readonly storage: StorageRepository,
    private readonly redis: RedisRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.redis.subscribe(CANCEL_CHANNEL, (jobId) => this.running.get(jobId)?.abort());
    const lockMs = this.config.worker.lockSeconds * 1000;
    this.worker = new Worker<MediaJobData>(QueueName.Media, (job, token) => this.handle(job, token), {
      connection: bullConnection(this.config.redisUrl),
      prefix: this.config.redisPrefix,
      concurrency: this.config.worker.concurrency,
      // BullMQ renews a running job's lock every half lock; every worker looks for expired locks
      // four times per lock, so a killed worker's job is taken over 0.5–1.25 locks after it died.
      lockDuration: lockMs,
      stalledInterval: Math.max(1000, lockMs / 4),
      maxStalledCount: 2,
    });
    this.worker.on('failed', (job, err) => void this.onFailed(job, err).catch((e: Error) => this.logger.error(`settling failed job: ${e.message}`)));
    this.worker.on('error', (err) => this.logger.error(`worker error: ${err.message}`));
    this.logger.log(`media worker started (concurrency ${this.config.worker.concurrency})`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    await this.worker?.close();
  }

  private async handle(bull: BullJob<MediaJobData>, token: string | undefined): Promise<void> {
    const jobId = bull.data.jobId;
    const controller = new AbortController();
    let attemptDir: string | null = null;
    try {
      const job = await this.lifecycle.start(jobId);
      if (!job) return; // canceled or already settled: nothing to do
      if (bull.data.dependencyDownSince) await bull.updateData({ ...bull.data, dependencyDownSince: undefined }); // the outage it waited for is over
      this.running.set(job.id, controller);
      attemptDir = `${job.id}-${job.attempts}`;
      const workDir = await this.storage.workDir(attemptDir);
      const outcome = await this.registry.get(job.type).run(job as unknown as Job, this.lifecycle.context(job, controller.signal, workDir));
      await this.settle(bull, () => this.lifecycle.complete(job, outcome));
    } catch (err) {
      if (err instanceof CanceledError || controller.signal.aborted) {
        // The cancel deleted the outputs when it landed; a file this run stored after that is nobody's either.
        const current = await this.lifecycle.find(jobId).catch(() => null);
        if (current?.status === 'canceled') await this.lifecycle.deleteOutputs(current).catch((e: Error) => this.logger.warn(`outputs of canceled job ${jobId} not deleted: ${e.message}`));
        return;
      }
      await this.failed(bull, token, err);
    } finally {
      this.running.delete(jobId);
      // Cleaning up must not turn the job's outcome into another one.
      if (attemptDir) await this.storage.removeWorkDir(attemptDir).catch((err: Error) => this.logger.warn(`work directory of job ${jobId} not removed: ${err.message}`));
    }
  }

  /** A job threw: wait out an outage, retry, or fail it for good (refunded). Throws to hand the job back to BullMQ. */
  private async failed(bull: BullJob<MediaJobData>, token: string | undefined, err: unknown): Promise<void> {
    const jobId = bull.data.jobId;
    const down = await this.dependencyDown();
    const outage: Outage | null = down
      ? { sinceMs: bull.data.dependencyDownSince ?? Date.now(), nowMs: Date.now(), maxWaitMs: this.config.worker.outageWaitSeconds * 1000 }
      : null;
    const decision = decideFailure(err, bull.attemptsMade, bull.opts.attempts ?? 1, outage);
    switch (decision.action) {
      case 'wait':
        // Said once per outage; every later try of the same job only at debug level.
        this.logger[bull.data.dependencyDownSince ? 'debug' : 'warn'](
          `job ${jobId}: ${down} is unavailable (${(err as Error).message}); trying again in ${Math.round(decision.delayMs / 1000)} s without using an attempt`,
        );
        await bull.updateData({ ...bull.data, dependencyDownSince: outage!.sinceMs });
        await bull.moveToDelayed(Date.now() + decision.delayMs, token);
        throw new DelayedError();
      case 'retry':
        this.logger.warn(`job ${jobId} attempt ${bull.attemptsMade + 1} failed, will retry: ${(err as Error).message}`);
        throw err;
      case 'fail':
        if (decision.code === 'internal_error') this.logger.error(`job ${jobId} failed: ${(err as Error).stack ?? String(err)}`);
        try {
          await this.settle(bull, () => this.lifecycle.fail(jobId, { code: decision.code, message: decision.message }));
        } catch (settleError) {
          // Not recorded (the database is still away): BullMQ keeps the job as failed, with the
          // failure decided here, and the sweeper records that failure and the refund once the
          // database is back.
          await bull.updateData({ ...bull.data, decided: { code: decision.code, message: decision.message } }).catch(() => undefined);
          throw new UnrecoverableError(`${decision.message} (not yet recorded: ${(settleError as Error).message})`);
        }
    }
  }

  /**
   * Records a job's end, waiting out a short database outage in place: the work is done (or
   * its failure decided), only writing it down has to wait, and redoing the work would cost
   * more. Gives up after the longest outage a job may wait, or when the worker stops.
   */
  private async settle(bull: BullJob<MediaJobData>, settlement: () => Promise<void>): Promise<void> {
    const since = bull.data.dependencyDownSince ?? Date.now();
    for (let pause = SETTLE_RETRY_MIN_MS; ; pause = Math.min(pause * 2, SETTLE_RETRY_MAX_MS)) {
      try {
        return await settlement();
      } catch (err) {
        const deadline = since + this.config.worker.outageWaitSeconds * 1000;
        if (!isDependencyDown(err) || this.closing || Date.now() + pause > deadline) throw err;
        if (!bull.data.dependencyDownSince) {
          this.logger.warn(`job ${bull.data.jobId} is done but cannot be recorded (${(err as Error).message}); trying again until the database is back`);
          await bull.updateData({ ...bull.data, dependencyDownSince: since });
        }
        await sleep(pause);
      }
    }
  }

  /** 'Postgres' or 'Redis' when it does not answer now, else null. */
  private async dependencyDown(): Promise<string | null> {
    const answers = (check: Promise<boolean>) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)));
      return Promise.race([check.catch(() => false), timeout]).finally(() => clearTimeout(timer));
    };
    const [database, redis] = await Promise.all([answers(this.db.query('SELECT 1').then(() => true)), answers(this.redis.ping())]);
    return !database ? 'Postgres' : !redis ? 'Redis' : null;
  }

  /** BullMQ gave up on a job (attempts exhausted, a final failure not yet recorded, or stalled too often after worker crashes). */
  private async onFailed(bull: BullJob<MediaJobData> | undefined, err: Error): Promise<void> {
    if (!bull) return;
    const exhausted = bull.attemptsMade >= (bull.opts.attempts ?? 1) || err instanceof UnrecoverableError || /stalled/i.test(err.message);
    if (exhausted) await this.lifecycle.fail(bull.data.jobId, bull.data.decided ?? { code: 'internal_error', message: 'The job could not be completed' });
  }
}

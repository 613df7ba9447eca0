import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { QueueRepository } from '../../platform/tools/queue.repository.js';
import { IdempotencyRepository } from '../ledger/idempotency.repository.js';
import { UploadsService } from '../uploads/uploads.service.js';
import { JobLifecycleService } from './job-lifecycle.service.js';
import { JobRepository } from './job.repository.js';

/** A repair or retention step another module adds to every sweep. */
export type SweepTask = () => Promise<void>;

/**
 * Periodic repairs, safe to run in every worker process at once:
 * - re-enqueue committed jobs Redis never got (or lost);
 * - fail and refund jobs BullMQ gave up on while no worker was listening;
 * - delete outputs and uploads past their retention, and old idempotency records;
 * - whatever other modules register (the webhook outbox).
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
        ['expired outputs', async () => {
          for (const job of await this.jobs.withExpiredOutputs(200)) await this.lifecycle.deleteOutputs(job);
        }],
        ['expired uploads', () => this.uploads.deleteExpired()],
        ['idempotency records', () => this.idempotency.deleteOlderThan(24)],
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
      const state = await this.queue.state(id);
      if (state === null) {
        this.logger.warn(`job ${id} was not in the queue; enqueueing it`);
        await this.queue.enqueue({ jobId: id, type });
      } else if (state === 'failed' || state === 'completed') {
        await this.lifecycle.fail(id, { code: 'internal_error', message: 'The job could not be completed' });
      }
    }
  }
}

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { QueueRepository } from '../../platform/tools/queue.repository.js';
import { IdempotencyRepository } from '../ledger/idempotency.repository.js';
import { UploadsService } from '../uploads/uploads.service.js';
import { JobLifecycleService } from './job-lifecycle.service.js';
import { JobRepository } from './job.repository.js';

/**
 * Periodic repairs, safe to run in every worker process at once:
 * - re-enqueue committed jobs Redis never got (or lost);
 * - fail and refund jobs BullMQ gave up on while no worker was listening;
 * - delete outputs and uploads past their retention, and old idempotency records.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SweeperService.name);
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
      await this.repairUnfinished();
      for (const job of await this.jobs.withExpiredOutputs(200)) await this.lifecycle.deleteOutputs(job);
      await this.uploads.deleteExpired();
      await this.idempotency.deleteOlderThan(24);
    } catch (err) {
      this.logger.warn(`sweep failed: ${(err as Error).message}`);
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

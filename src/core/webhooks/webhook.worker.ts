import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job as BullJob, type MinimalJob } from 'bullmq';
import { CONFIG, type Config } from '../../config.js';

import { WebhooksService } from './webhooks.service.js';
import { jitterFor, retryDelayMs } from './webhook-signing.js';
import { bullConnection } from '../../platform/tools/bull-connection.js';
import { QueueName } from '../../platform/tools/queue.repository.js';
import { RETENTION_BATCH, RETENTION_BATCHES_PER_SWEEP, SweeperService } from '../jobs/sweeper.service.js';

/**
 * Delivers webhooks from their own queue, so slow receivers never hold up media jobs; with each
 * sweep, queues the deliveries recorded but never queued, and deletes those past their retention.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookWorker.name);
  private worker: Worker<{ deliveryId: string }> | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly webhooks: WebhooksService,
    sweeper: SweeperService,
  ) {
    sweeper.register('webhook outbox', () => this.webhooks.sweepUnsent().then(() => undefined));
    sweeper.register('old webhook deliveries', () => this.webhooks.deleteExpired(RETENTION_BATCH, RETENTION_BATCHES_PER_SWEEP).then(() => undefined));
  }

  onApplicationBootstrap(): void {
    const schedule = this.config.webhooks.retryScheduleSeconds;
    this.worker = new Worker<{ deliveryId: string }>(QueueName.Webhooks, (job) => this.handle(job), {
      connection: bullConnection(this.config.redisUrl),
      prefix: this.config.redisPrefix,
      concurrency: 20,
      settings: {
        // The same jittered delay the delivery record shows as next_attempt_at.
        backoffStrategy: (attemptsMade: number, _type?: string, _err?: Error, job?: MinimalJob) =>
          retryDelayMs(schedule, attemptsMade, () => jitterFor(`${(job?.data as { deliveryId?: string } | undefined)?.deliveryId}:${attemptsMade}`)) ?? 0,
      },
    });
    this.worker.on('error', (err) => this.logger.error(`webhook worker error: ${err.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  private async handle(job: BullJob<{ deliveryId: string }>): Promise<void> {
    const outcome = await this.webhooks.attempt(job.data.deliveryId, job.attemptsMade + 1);
    if (outcome === 'retry') throw new Error(`delivery ${job.data.deliveryId} attempt ${job.attemptsMade + 1} failed; retrying`);
  }
}

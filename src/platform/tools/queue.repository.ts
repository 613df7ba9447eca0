import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { CONFIG, type Config } from '../../config.js';
import type { ErrorCode } from '../../errors.js';

/** BullMQ queues: media jobs, and webhook deliveries on their own so slow receivers never hold up media work. */
export enum QueueName {
  Media = 'media',
  Webhooks = 'webhooks',
}

export interface MediaJobData {
  jobId: string;
  type: string;
  /** Set while the job waits out an outage of Postgres or Redis: when it first found one down (ms since the epoch). */
  dependencyDownSince?: number;
  /** The failure a worker decided but could not record (the database was away): whoever records it later says the same. */
  decided?: { code: ErrorCode; message: string };
}

/** BullMQ: the BullMQ job id is the Mediary job id, which makes enqueueing idempotent. */
@Injectable()
export class QueueRepository {
  constructor(
    @InjectQueue(QueueName.Media) private readonly media: Queue<MediaJobData>,
    @InjectQueue(QueueName.Webhooks) private readonly webhooks: Queue<{ deliveryId: string }>,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  async enqueue(data: MediaJobData): Promise<void> {
    await this.media.add(data.type, data, this.mediaOptions(data.jobId));
  }

  async enqueueMany(jobs: MediaJobData[]): Promise<void> {
    await this.media.addBulk(jobs.map((data) => ({ name: data.type, data, opts: this.mediaOptions(data.jobId) })));
  }

  private mediaOptions(jobId: string) {
    return {
      jobId,
      attempts: this.config.worker.attempts,
      backoff: { type: 'exponential', delay: 2000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 24 * 3600 },
    };
  }

  /** The BullMQ state of a job, or null when Redis has no record of it. */
  async state(jobId: string): Promise<string | null> {
    return (await this.inspect(jobId))?.state ?? null;
  }

  /** The queue's state of a job and the failure a worker decided for it, if any; null when it is not in the queue. */
  async inspect(jobId: string): Promise<{ state: string; decided: MediaJobData['decided'] } | null> {
    const job = (await this.media.getJob(jobId)) as Job<MediaJobData> | undefined;
    return job ? { state: await job.getState(), decided: job.data.decided } : null;
  }

  async remove(jobId: string): Promise<void> {
    const job = await this.media.getJob(jobId);
    if (job && ['waiting', 'delayed', 'prioritized', 'paused'].includes(await job.getState())) await job.remove();
  }

  /** Queues a delivery's attempts; `queueId` is new for each manual retry of the same delivery. */
  async enqueueDelivery(deliveryId: string, queueId: string, attempts: number): Promise<void> {
    await this.webhooks.add('deliver', { deliveryId }, {
      jobId: queueId,
      attempts,
      backoff: { type: 'webhook' },
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }
}


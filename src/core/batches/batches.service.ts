import { Injectable, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import type { FieldError } from '../../platform/http/validation.js';
import { UUID } from '../../platform/ids.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { settleCharge } from '../ledger/charge-outcome.js';
import { ChargesRepository } from '../ledger/charges.repository.js';
import { JobLifecycleService } from '../jobs/job-lifecycle.service.js';
import type { SqlRunner } from '../jobs/job-handler.js';
import type { JobInput, JobType } from '../jobs/job-types.js';
import type { JobEntity } from '../jobs/job.entity.js';
import { JobsService, type JobView } from '../jobs/jobs.service.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';
import { BatchRepository, type BatchRow } from './batch.repository.js';
import type { BatchRequestDto } from './dto/batch.dto.js';

/** One batch item checked and priced by its operation's module; `errors` name `items[i].field`. */
export interface BatchItemPlan<T extends JobType = JobType> {
  input: JobInput<T>;
  price: number;
  /** What a cancel while running keeps, when less than the price (see `Reservation`). */
  committed?: number;
  errors: FieldError[];
}

/** What an operation's module registers to accept batch items. */
export interface BatchPlanner<T extends JobType = JobType> {
  planItem(accountId: string, item: Record<string, unknown>, field: string): Promise<BatchItemPlan<T>>;
}

/** Up to a hundred jobs in one request: validated whole, charged whole, reported whole. */
@Injectable()
export class BatchesService implements OnModuleInit {
  private readonly planners = new Map<string, BatchPlanner>();

  constructor(
    private readonly batches: BatchRepository,
    private readonly charges: ChargesRepository,
    private readonly jobs: JobsService,
    private readonly lifecycle: JobLifecycleService,
    private readonly guard: UrlGuardService,
    private readonly webhooks: WebhooksService,
  ) {}

  onModuleInit(): void {
    this.lifecycle.onSettling('batch', (tx, job) => this.jobSettled(tx, job));
  }

  registerPlanner<T extends JobType>(type: T, planner: BatchPlanner<T>): void {
    this.planners.set(type, planner as unknown as BatchPlanner);
  }

  /** Every item is checked before anything is charged; any invalid item refuses the batch. */
  async submit(accountId: string, body: BatchRequestDto, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const planner = this.planners.get(body.operation);
    if (!planner) throw new AppError('validation_failed', `${body.operation} cannot be batched`);
    const items = await Promise.all(body.items.map((item, i) => planner.planItem(accountId, { ...(body.defaults ?? {}), ...item }, `items[${i}]`)));
    const errors = items.flatMap((r) => r.errors);
    if (errors.length) throw new AppError('validation_failed', `${errors.length} problem(s) in items; nothing was charged`, { errors });
    if (body.webhook_url) await this.guard.check(body.webhook_url);
    const earlier = await this.jobs.replay(accountId, idem);
    if (earlier) return earlier;
    const jobs = items.map((r) => ({ id: randomUUID(), input: r.input, price: r.price, committed: r.committed }));
    const total = jobs.reduce((sum, j) => sum + j.price, 0);
    const id = randomUUID();
    const response: StoredResponse = {
      statusCode: 202,
      body: { batch_id: id, status: 'processing', total: jobs.length, credits_charged: total, job_ids: jobs.map((j) => j.id) },
    };
    const outcome = await this.charges.chargeBatch({ id, accountId, type: body.operation, webhookUrl: body.webhook_url ?? null, jobs }, idem, response);
    const settled = settleCharge(outcome, total, response);
    if (outcome.kind === 'charged') await this.jobs.enqueueSoon(jobs.map((j) => ({ jobId: j.id, type: body.operation })));
    return settled;
  }

  async get(accountId: string, id: string): Promise<Record<string, unknown>> {
    const batch = UUID.test(id) ? await this.batches.find(accountId, id) : null;
    if (!batch) throw new AppError('not_found', 'No such batch');
    return this.view(batch);
  }

  /**
   * The last job of a batch to end completes it and records batch.completed, exactly once, in the
   * transaction that ends that job: the batch and its event commit with the job's end, or not at all.
   */
  private async jobSettled(tx: SqlRunner, job: JobEntity): Promise<void> {
    if (!job.batchId) return;
    const completed = await this.batches.completeIfDone(job.batchId, tx);
    if (completed) await this.webhooks.recordBatchCompleted(tx, completed.account_id, () => this.view(completed, tx), completed.webhook_url);
  }

  private async view(batch: BatchRow, q?: SqlRunner): Promise<Record<string, unknown>> {
    const jobs: JobView[] = await Promise.all((await this.batches.jobs(batch.id, q)).map((j) => this.jobs.view(j)));
    const count = (...statuses: string[]) => jobs.filter((j) => statuses.includes(j.status)).length;
    return {
      id: batch.id,
      operation: batch.operation,
      status: batch.status,
      created_at: batch.created_at.toISOString(),
      completed_at: batch.completed_at?.toISOString() ?? null,
      summary: {
        total: batch.total,
        succeeded: count('completed'),
        failed: count('failed'),
        canceled: count('canceled'),
        processing: count('pending', 'processing'),
      },
      credits_charged: jobs.reduce((s, j) => s + j.credits_charged, 0),
      credits_refunded: jobs.reduce((s, j) => s + j.credits_refunded, 0),
      jobs,
    };
  }
}

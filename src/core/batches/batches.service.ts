import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { CONFIG, type Config } from '../../config.js';
import type { BatchRequestDto } from './dto/batch.dto.js';
import { checkDownloadRequest, DownloadRequestDto } from '../../modules/download/dto/download.dto.js';
import { AppError } from '../../errors.js';
import { flattenValidationErrors } from '../../platform/http/validation.js';
import { BatchRepository, type BatchRow } from './batch.repository.js';
import { JobRepository } from '../jobs/job.repository.js';
import { LedgerRepository, type IdempotencyInput, type StoredResponse } from '../ledger/ledger.repository.js';
import { priceDownload } from '../../modules/download/download-pricing.js';
import { UUID } from '../accounts/accounts.service.js';
import { settleCharge } from '../ledger/charge-outcome.js';
import { JobsService, type JobView } from '../jobs/jobs.service.js';
import { UploadsService } from '../uploads/uploads.service.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { WebhooksService } from '../webhooks/webhooks.service.js';

type FieldError = { field: string; message: string };

/** Up to a hundred jobs in one request: validated whole, charged whole, reported whole. */
@Injectable()
export class BatchesService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly batches: BatchRepository,
    private readonly jobRows: JobRepository,
    private readonly ledger: LedgerRepository,
    private readonly jobs: JobsService,
    private readonly uploads: UploadsService,
    private readonly guard: UrlGuardService,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Every item is checked before anything is charged; any invalid item refuses the batch. */
  async submit(accountId: string, body: BatchRequestDto, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const items = await Promise.all(body.items.map((item, i) => this.checkItem(accountId, { ...(body.defaults ?? {}), ...item }, i)));
    const errors = items.flatMap((r) => r.errors);
    if (errors.length) throw new AppError('validation_failed', `${errors.length} problem(s) in items; nothing was charged`, { errors });
    if (body.webhook_url) await this.guard.check(body.webhook_url);
    if (idem) {
      const earlier = await this.ledger.findReplay(accountId, idem);
      if (earlier) return settleCharge(earlier, 0);
    }
    const jobs = items.map((r) => ({ id: randomUUID(), input: r.input, price: r.price }));
    const total = jobs.reduce((sum, j) => sum + j.price, 0);
    const id = randomUUID();
    const response: StoredResponse = {
      statusCode: 202,
      body: { batch_id: id, status: 'processing', total: jobs.length, credits_charged: total, job_ids: jobs.map((j) => j.id) },
    };
    const outcome = await this.ledger.createChargedBatch(
      { id, accountId, type: body.operation, webhookUrl: body.webhook_url ?? null, jobs },
      idem,
      response,
    );
    const settled = settleCharge(outcome, total, response);
    if (outcome.kind === 'charged') await this.jobs.enqueueSoon(jobs.map((j) => ({ jobId: j.id, type: body.operation })));
    return settled;
  }

  private async checkItem(
    accountId: string,
    merged: Record<string, unknown>,
    index: number,
  ): Promise<{ input: Record<string, unknown>; price: number; errors: FieldError[] }> {
    const prefix = `items[${index}]`;
    const dto = plainToInstance(DownloadRequestDto, merged);
    const errors = flattenValidationErrors(await validate(dto, { whitelist: true, forbidNonWhitelisted: true }), prefix);
    if (errors.length === 0) {
      try {
        checkDownloadRequest(dto);
        if (dto.url) await this.guard.check(dto.url);
        else await this.uploads.owned(accountId, dto.upload_id!);
        if (dto.webhook_url) await this.guard.check(dto.webhook_url);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const fields = (err.extra.errors as FieldError[] | undefined) ?? [{ field: dto.url ? 'url' : 'upload_id', message: err.message }];
        errors.push(...fields.map((e) => ({ field: `${prefix}.${e.field}`, message: e.message })));
      }
    }
    return { input: JSON.parse(JSON.stringify(dto)) as Record<string, unknown>, price: priceDownload(this.config.prices, dto), errors };
  }

  async get(accountId: string, id: string): Promise<Record<string, unknown>> {
    const batch = UUID.test(id) ? await this.batches.find(accountId, id) : null;
    if (!batch) throw new AppError('not_found', 'No such batch');
    return this.view(batch);
  }

  /** Called whenever a job ends: the last job of a batch completes it and sends batch.completed. */
  async jobEnded(jobId: string): Promise<void> {
    const job = await this.jobRows.find(jobId);
    if (!job?.batchId) return;
    const completed = await this.batches.completeIfDone(job.batchId);
    if (completed) {
      await this.webhooks.safely(`batch.completed of ${completed.id}`, async () =>
        this.webhooks.batchCompleted(completed.account_id, await this.view(completed), completed.webhook_url),
      );
    }
  }

  private async view(batch: BatchRow): Promise<Record<string, unknown>> {
    const jobs: JobView[] = await Promise.all((await this.batches.jobs(batch.id)).map((j) => this.jobs.view(j)));
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

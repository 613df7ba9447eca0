import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { BatchesService, type BatchItemPlan, type BatchPlanner } from '../../core/batches/batches.service.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { UploadsService } from '../../core/uploads/uploads.service.js';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { validateAs, type FieldError } from '../../platform/http/validation.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { priceDownload } from './download-pricing.js';
import { checkDownloadRequest, DownloadRequestDto } from './dto/download.dto.js';

/** Downloads on the API side: checked, priced and submitted, alone or as batch items. */
@Injectable()
export class DownloadService implements BatchPlanner<'download'>, OnModuleInit {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobsService,
    private readonly uploads: UploadsService,
    private readonly guard: UrlGuardService,
    private readonly batches: BatchesService,
  ) {}

  onModuleInit(): void {
    this.batches.registerPlanner('download', this);
  }

  async submit(accountId: string, request: DownloadRequestDto, idem: IdempotencyInput | null): Promise<StoredResponse> {
    await this.check(accountId, request);
    return this.jobs.submit(accountId, 'download', request, priceDownload(this.config.prices, request), idem);
  }

  /** Everything that can be known before charging: the fields together, the URL or upload, the webhook URL. */
  private async check(accountId: string, request: DownloadRequestDto): Promise<void> {
    checkDownloadRequest(request);
    const longest = this.config.limits.maxDurationSeconds;
    if (request.trim && request.trim.end > longest) {
      throw new AppError('validation_failed', `trim.end is past the longest media accepted (${longest} s)`, { errors: [{ field: 'trim.end', message: `must be at most ${longest}` }] });
    }
    if (request.url) await this.guard.check(request.url);
    else await this.uploads.owned(accountId, request.upload_id!);
    if (request.webhook_url) await this.guard.check(request.webhook_url);
  }

  async planItem(accountId: string, item: Record<string, unknown>, field: string): Promise<BatchItemPlan<'download'>> {
    const { value, errors } = await validateAs(DownloadRequestDto, item, field);
    if (errors.length === 0) {
      try {
        await this.check(accountId, value);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const fields = (err.extra.errors as FieldError[] | undefined) ?? [{ field: value.url ? 'url' : 'upload_id', message: err.message }];
        errors.push(...fields.map((e) => ({ field: `${field}.${e.field}`, message: e.message })));
      }
    }
    return { input: value, price: priceDownload(this.config.prices, value), errors };
  }
}

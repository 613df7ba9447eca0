import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { UploadsService } from '../../core/uploads/uploads.service.js';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { InfoService } from '../info/index.js';
import type { PreviewRequestDto } from './dto/preview.dto.js';
import { checkAgainstDuration, checkPreviewRequest, type FieldProblem } from './preview-plan.js';

/** Previews on the API side: everything that can be known is checked before the charge. */
@Injectable()
export class PreviewService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly info: InfoService,
    private readonly guard: UrlGuardService,
    private readonly uploads: UploadsService,
    private readonly jobs: JobsService,
  ) {}

  /**
   * The fields for the type, then the source: a URL is resolved (cached, shared with /v1/info)
   * so that times past the end and sources with nothing to preview are refused before charging.
   */
  async submit(accountId: string, req: PreviewRequestDto, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const earlier = await this.jobs.replay(accountId, idem);
    if (earlier) return earlier;
    const problems: FieldProblem[] = checkPreviewRequest(req);
    if (!req.url === !req.upload_id) problems.unshift({ field: 'url', message: 'give exactly one of url and upload_id' });
    refuse(problems);
    if (req.webhook_url) await this.guard.check(req.webhook_url);
    let duration: number | null;
    if (req.url) {
      const doc = await this.info.document(await this.guard.check(req.url));
      if (doc.type !== 'video') throw new AppError('validation_failed', 'This page has several videos; preview them one at a time');
      if (doc.is_live) throw new AppError('validation_failed', 'Live streams cannot be previewed');
      const visual = req.type !== 'waveform';
      const formats = doc.formats;
      if (formats.length > 0 && !formats.some((f) => (visual ? f.has_video : f.has_audio))) {
        throw new AppError('media_unavailable', visual ? 'This media has no video: only a waveform can be made of it' : 'This media has no audio');
      }
      duration = doc.duration;
    } else {
      duration = (await this.uploads.owned(accountId, req.upload_id!)).duration;
    }
    refuse(checkAgainstDuration(req, duration));
    return this.jobs.submit(accountId, 'preview', { ...req }, this.config.prices.preview, idem);
  }
}

function refuse(problems: FieldProblem[]): void {
  if (problems.length) throw new AppError('validation_failed', problems.map((p) => p.message).join('; '), { errors: problems });
}

import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { baseLanguage } from '../../platform/languages.js';
import { ApertiumRepository } from '../../platform/tools/apertium.repository.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { TranscribeService } from '../transcribe/index.js';
import type { TranslateJobInput, TranslateRequest } from './translate.job.js';

/** Translation on the API side: what is translated, from and into which language, at what price. */
@Injectable()
export class TranslateService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly jobs: JobsService,
    private readonly transcriptions: TranscribeService,
    private readonly apertium: ApertiumRepository,
    private readonly guard: UrlGuardService,
  ) {}

  /**
   * A translation: of a finished transcription job (the translate price), or of a URL or upload
   * (its transcription's reservation plus the difference between the two prices).
   */
  async submit(accountId: string, req: TranslateRequest, idem: IdempotencyInput | null): Promise<StoredResponse> {
    if ([req.url, req.upload_id, req.transcript_job_id].filter(Boolean).length !== 1) {
      const message = 'give exactly one of url, upload_id and transcript_job_id';
      throw new AppError('validation_failed', message, { errors: [{ field: 'url', message }] });
    }
    if (req.webhook_url) await this.guard.check(req.webhook_url);
    const target = baseLanguage(req.target_language);
    let from: string;
    let price: number;
    let committed: number;
    let input: TranslateJobInput;
    const extra = Math.max(0, this.config.prices.translate - this.config.prices.transcribe);
    if (req.transcript_job_id) {
      const job = await this.jobs.ownedOf(accountId, req.transcript_job_id, 'transcribe');
      if (!job) throw new AppError('not_found', 'No such transcription job');
      if (job.status !== 'completed') throw new AppError('conflict', `The transcription is ${job.status}`);
      from = baseLanguage(req.source_language ?? job.result?.language ?? 'en');
      price = this.config.prices.translate;
      committed = price;
      input = { ...req, target_language: target, format: req.format ?? 'json', provider: this.config.translateProvider };
    } else {
      const planned = await this.transcriptions.plan(accountId, { url: req.url, upload_id: req.upload_id, language: req.source_language }, this.config.prices.translate);
      from = baseLanguage(planned.input.plan.language);
      price = planned.price + extra;
      committed = planned.committed + extra;
      input = { ...req, target_language: target, format: req.format ?? 'json', provider: this.config.translateProvider, transcription: planned.input };
    }
    if (from === target) throw new AppError('validation_failed', `The transcript is already in ${target}`);
    await this.assertPair(from, target);
    return this.jobs.submit(accountId, 'translate', input, { price, committed }, idem);
  }

  private async assertPair(from: string, to: string): Promise<void> {
    if (this.config.translateProvider !== 'local') return;
    const pairs = await this.apertium.installedPairs();
    if (!pairs.some(([a, b]) => a === from && b === to)) {
      throw new AppError('unsupported_language', `Translation from ${from} to ${to} is not installed here`, {
        supported: pairs.map(([a, b]) => `${a}-${b}`),
      });
    }
  }

  async pairs(): Promise<string[] | 'any'> {
    return this.config.translateProvider === 'local' ? (await this.apertium.installedPairs()).map(([a, b]) => `${a}-${b}`) : 'any';
  }
}

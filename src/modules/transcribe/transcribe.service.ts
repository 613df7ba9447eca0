import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { CreditsRepository } from '../../core/ledger/credits.repository.js';
import { UploadsService } from '../../core/uploads/uploads.service.js';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { baseLanguage } from '../../platform/languages.js';
import { LocalSpeechRepository } from '../../platform/tools/speech.repository.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { normalizeUrl } from '../../platform/tools/url-safety.js';
import { InfoService, type InfoDocument } from '../info/index.js';
import { asrPrice, UNKNOWN_DURATION_RESERVE_SECONDS } from './transcribe-pricing.js';
import type { TranscribeJobInput, TranscribePlan, TranscribeRequest } from './transcribe.job.js';
import { renderTranscript, TRANSCRIPT_CONTENT_TYPES, type TranscriptFormat } from './transcript-formats.js';
import { TranscriptRepository } from './transcript.repository.js';

/** Picks the caption track: a manual one in the language, else an automatic one. */
export function pickCaptions(info: InfoDocument, language: string | undefined): { language: string; kind: 'manual' | 'auto' } | null {
  if (info.type !== 'video') return null;
  const wanted = (l: string) => !language || l === language || l.split(/[-_]/)[0] === language;
  const manual = info.subtitles.filter((s) => s.kind === 'manual' && wanted(s.language));
  const auto = info.subtitles.filter((s) => s.kind === 'auto' && wanted(s.language));
  const prefer = (list: typeof manual) => list.find((s) => s.language.startsWith('en')) ?? list[0];
  const track = prefer(manual) ?? prefer(auto);
  return track ? { language: track.language, kind: track.kind } : null;
}

/** Transcription on the API side: plan and price at submit; formats of finished transcripts. */
@Injectable()
export class TranscribeService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly info: InfoService,
    private readonly guard: UrlGuardService,
    private readonly uploads: UploadsService,
    private readonly jobs: JobsService,
    private readonly transcripts: TranscriptRepository,
    private readonly speech: LocalSpeechRepository,
    private readonly credits: CreditsRepository,
  ) {}

  get speechLanguages(): string[] | 'any' {
    return this.config.speech.provider === 'local' ? this.speech.languages : 'any';
  }

  /**
   * Planning a URL runs yt-dlp: an account that could not pay the least this can cost is refused
   * first — unless it owns a transcript of this source, which may make the request free.
   */
  private async affordable(accountId: string, sourceKey: string, minimum: number): Promise<void> {
    if (await this.transcripts.ownsAny(accountId, sourceKey)) return;
    const available = await this.credits.balance(accountId);
    if (available < minimum) throw new AppError('insufficient_credits', 'Insufficient credits', { required: minimum, available });
  }

  /**
   * Everything that can be known before charging is checked here: the URL, captions in the
   * language, the speech provider's languages, the duration (for the speech price), and
   * whether the account already owns this transcript (then it is free).
   */
  async submit(accountId: string, req: TranscribeRequest, idem: IdempotencyInput | null): Promise<StoredResponse> {
    if (!req.url === !req.upload_id) {
      throw new AppError('validation_failed', 'give exactly one of url and upload_id', { errors: [{ field: 'url', message: 'give exactly one of url and upload_id' }] });
    }
    if (req.webhook_url) await this.guard.check(req.webhook_url);
    const { input, ...charge } = await this.plan(accountId, req, this.config.prices.transcribe);
    return this.jobs.submit(accountId, 'transcribe', input, charge, idem);
  }

  /**
   * The plan of a transcription and what to reserve for it; refuses what cannot work. Speech
   * reserves its minutes but commits only the base price: canceled mid-run, the minutes go back.
   */
  async plan(accountId: string, req: TranscribeRequest, minimum: number): Promise<{ input: TranscribeJobInput; price: number; committed: number }> {
    const source = req.source ?? 'auto';
    let sourceKey: string;
    let duration: number | null;
    let captions: { language: string; kind: 'manual' | 'auto' } | null = null;
    if (req.url) {
      const url = await this.guard.check(req.url);
      await this.affordable(accountId, normalizeUrl(url), minimum);
      const doc = await this.info.document(url);
      if (doc.type !== 'video') throw new AppError('validation_failed', 'This page has several videos; transcribe them one at a time');
      sourceKey = normalizeUrl(url);
      duration = doc.duration;
      if (source !== 'asr') captions = pickCaptions(doc, req.language?.toLowerCase());
    } else {
      const upload = await this.uploads.owned(accountId, req.upload_id!);
      sourceKey = `upload:${upload.id}`;
      duration = upload.duration;
    }
    if (source === 'captions' && !captions) {
      throw new AppError('media_unavailable', `This media has no captions${req.language ? ` in ${req.language}` : ''}`);
    }
    const language = captions?.language ?? req.language?.toLowerCase() ?? 'en';
    const speechLanguages = this.speechLanguages;
    if (!captions && speechLanguages !== 'any' && !speechLanguages.includes(baseLanguage(language))) {
      throw new AppError('unsupported_language', `Speech recognition on this installation supports: ${speechLanguages.join(', ')}`, {
        supported: speechLanguages,
      });
    }
    const plan: TranscribePlan = captions
      ? { mode: 'captions', language, kind: captions.kind, provider: 'captions', source_key: sourceKey, duration }
      : { mode: 'asr', language: baseLanguage(language), provider: this.config.speech.provider, source_key: sourceKey, duration };
    const owned = await this.transcripts.find(accountId, sourceKey, plan.language, [plan.provider]);
    const price = owned
      ? 0
      : plan.mode === 'captions'
        ? this.config.prices.transcribe
        : asrPrice(this.config.prices, duration ?? UNKNOWN_DURATION_RESERVE_SECONDS);
    const committed = Math.min(price, this.config.prices.transcribe);
    return { input: { ...req, source, format: req.format ?? 'json', timestamps: req.timestamps ?? 'segment', plan }, price, committed };
  }

  /** A finished transcript in another format, without a new job. */
  async render(accountId: string, jobId: string, format: TranscriptFormat): Promise<{ body: string; contentType: string }> {
    const job = await this.jobs.ownedOf(accountId, jobId, 'transcribe', 'translate');
    if (!job) throw new AppError('not_found', 'No such transcription or translation job');
    if (job.status !== 'completed' || !job.result) throw new AppError('conflict', `The job is ${job.status}; its transcript is not ready`);
    return { body: renderTranscript(job.result, format), contentType: TRANSCRIPT_CONTENT_TYPES[format] };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config, type PriceTable } from '../../config.js';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../core/ledger/ledger.repository.js';
import { LocalSpeechRepository } from '../../platform/tools/speech.repository.js';
import { ApertiumRepository } from '../../platform/tools/apertium.repository.js';
import { TranscriptRepository } from './transcript.repository.js';
import { JobRepository } from '../../core/jobs/job.repository.js';
import { toSrt, toTxt, toVtt, type Segment, type TranscriptFormat } from './transcript-formats.js';
import { baseLanguage } from '../translate/translate-args.js';
import { normalizeUrl } from '../../platform/tools/url-safety.js';
import { UUID } from '../../core/accounts/accounts.service.js';
import { InfoService, type InfoDocument } from '../info/info.service.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { UploadsService } from '../../core/uploads/uploads.service.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';

export interface Transcript {
  language: string;
  source: 'captions' | 'asr';
  provider: string;
  duration: number | null;
  text: string;
  segments: Segment[];
}

/** Decided at submit, followed by the worker: what the job does and what it reserved. */
export interface TranscribePlan {
  mode: 'captions' | 'asr';
  language: string;
  kind?: 'manual' | 'auto';
  /** Who makes the transcript: `captions`, or the speech provider. */
  provider: string;
  source_key: string;
  duration: number | null;
}

export interface TranscribeRequest {
  url?: string;
  upload_id?: string;
  language?: string;
  source?: 'auto' | 'captions' | 'asr';
  format?: TranscriptFormat;
  timestamps?: 'segment' | 'word';
  filename?: string;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

export type TranscribeInput = TranscribeRequest & {
  source: 'auto' | 'captions' | 'asr';
  format: TranscriptFormat;
  timestamps: 'segment' | 'word';
  plan: TranscribePlan;
};

export interface TranslateRequest {
  url?: string;
  upload_id?: string;
  transcript_job_id?: string;
  target_language: string;
  source_language?: string;
  format?: TranscriptFormat;
  filename?: string;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

export type TranslateInput = TranslateRequest & {
  format: TranscriptFormat;
  provider: 'local' | 'openai';
  /** For a URL or upload: the transcription to run first. */
  transcription?: TranscribeInput;
};

export const TRANSCRIPT_CONTENT_TYPES: Record<TranscriptFormat, string> = {
  json: 'application/json',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
  txt: 'text/plain; charset=utf-8',
};

/**
 * Speech is priced per started minute, never below the base (captions) price. Half a second
 * past a minute does not start another: encoders pad audio by a few milliseconds.
 */
export function asrPrice(prices: PriceTable, durationSeconds: number): number {
  const minutes = Math.max(1, Math.ceil((durationSeconds - 0.5) / 60));
  return Math.max(prices.transcribe, minutes * prices.transcribe_asr_minute);
}

/** When the duration is unknown at submit, speech is reserved for this long (and capped by it). */
const UNKNOWN_DURATION_RESERVE_SECONDS = 600;

export function renderTranscript(t: Transcript, format: TranscriptFormat): string {
  switch (format) {
    case 'srt':
      return toSrt(t.segments);
    case 'vtt':
      return toVtt(t.segments);
    case 'txt':
      return toTxt(t.segments);
    case 'json':
      return `${JSON.stringify({ language: t.language, source: t.source, provider: t.provider, duration: t.duration, text: t.text, segments: t.segments }, null, 2)}\n`;
  }
}

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
export class TranscriptsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly info: InfoService,
    private readonly guard: UrlGuardService,
    private readonly uploads: UploadsService,
    private readonly jobs: JobsService,
    private readonly jobRows: JobRepository,
    private readonly transcripts: TranscriptRepository,
    private readonly speech: LocalSpeechRepository,
    private readonly apertium: ApertiumRepository,
  ) {}

  get speechLanguages(): string[] | 'any' {
    return this.config.speech.provider === 'local' ? this.speech.languages : 'any';
  }

  /**
   * Everything that can be known before charging is checked here: the URL, captions in the
   * language, the speech provider's languages, the duration (for the speech price), and
   * whether the account already owns this transcript (then it is free).
   */
  async submit(accountId: string, req: TranscribeRequest, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const { input, price } = await this.plan(accountId, req);
    return this.jobs.submit(accountId, 'transcribe', JSON.parse(JSON.stringify(input)) as Record<string, unknown>, price, idem);
  }

  /** The plan of a transcription and what to reserve for it; refuses what cannot work. */
  async plan(accountId: string, req: TranscribeRequest): Promise<{ input: TranscribeInput; price: number }> {
    const source = req.source ?? 'auto';
    let sourceKey: string;
    let duration: number | null;
    let captions: { language: string; kind: 'manual' | 'auto' } | null = null;
    if (req.url) {
      const url = await this.guard.check(req.url);
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
    return { input: { ...req, source, format: req.format ?? 'json', timestamps: req.timestamps ?? 'segment', plan }, price };
  }

  /**
   * A translation: of a finished transcription job (the translate price), or of a URL or upload
   * (its transcription's reservation plus the difference between the two prices).
   */
  async submitTranslate(accountId: string, req: TranslateRequest, idem: IdempotencyInput | null): Promise<StoredResponse> {
    const target = baseLanguage(req.target_language);
    let from: string;
    let price: number;
    let input: TranslateInput;
    const extra = Math.max(0, this.config.prices.translate - this.config.prices.transcribe);
    if (req.transcript_job_id) {
      const job = UUID.test(req.transcript_job_id) ? await this.jobRows.findForAccount(accountId, req.transcript_job_id) : null;
      if (!job || job.type !== 'transcribe') throw new AppError('not_found', 'No such transcription job');
      if (job.status !== 'completed') throw new AppError('conflict', `The transcription is ${job.status}`);
      from = baseLanguage(req.source_language ?? String(job.result?.language ?? 'en'));
      price = this.config.prices.translate;
      input = { ...req, target_language: target, format: req.format ?? 'json', provider: this.config.translateProvider };
    } else {
      const planned = await this.plan(accountId, { url: req.url, upload_id: req.upload_id, language: req.source_language });
      from = baseLanguage(planned.input.plan.language);
      price = planned.price + extra;
      input = { ...req, target_language: target, format: req.format ?? 'json', provider: this.config.translateProvider, transcription: planned.input };
    }
    if (from === target) throw new AppError('validation_failed', `The transcript is already in ${target}`);
    await this.assertPair(from, target);
    return this.jobs.submit(accountId, 'translate', JSON.parse(JSON.stringify(input)) as Record<string, unknown>, price, idem);
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

  async translationPairs(): Promise<string[] | 'any'> {
    return this.config.translateProvider === 'local' ? (await this.apertium.installedPairs()).map(([a, b]) => `${a}-${b}`) : 'any';
  }

  /** A finished transcript in another format, without a new job. */
  async render(accountId: string, jobId: string, format: TranscriptFormat): Promise<{ body: string; contentType: string }> {
    const job = UUID.test(jobId) ? await this.jobRows.findForAccount(accountId, jobId) : null;
    if (!job || (job.type !== 'transcribe' && job.type !== 'translate')) throw new AppError('not_found', 'No such transcription or translation job');
    if (job.status !== 'completed' || !job.result) throw new AppError('conflict', `The job is ${job.status}; its transcript is not ready`);
    return { body: renderTranscript(job.result as unknown as Transcript, format), contentType: TRANSCRIPT_CONTENT_TYPES[format] };
  }
}

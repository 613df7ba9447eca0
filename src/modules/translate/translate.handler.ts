import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import type { JobEntity } from '../../core/jobs/job.entity.js';
import { AppError } from '../../errors.js';
import { JobRepository } from '../../core/jobs/job.repository.js';
import { OpenAiRepository } from '../../platform/tools/openai.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { ApertiumRepository } from '../../platform/tools/apertium.repository.js';
import { fullText } from '../transcribe/transcript-formats.js';
import { mapBounded } from '../transcribe/chunking.js';
import { apertiumMode, baseLanguage, parseTranslationReply, translationMessages } from './translate-args.js';
import type { JobOutcome, JobRun } from '../download/download.handler.js';
import { TranscribeService, withoutWords } from '../transcribe/transcribe.handler.js';
import type { Transcript, TranslateInput } from '../transcribe/transcribe.service.js';

/** A translation job: the transcript (made first when needed), translated segment by segment. */
@Injectable()
export class TranslateService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transcriber: TranscribeService,
    private readonly apertium: ApertiumRepository,
    private readonly jobs: JobRepository,
    private readonly storage: StorageRepository,
    private readonly openai: OpenAiRepository,
  ) {}

  async run(job: JobEntity, run: JobRun): Promise<JobOutcome> {
    const input = job.input as unknown as TranslateInput;
    const work = await this.storage.workDir(job.id);
    try {
      let source: Transcript;
      let price = this.config.prices.translate;
      if (input.transcript_job_id) {
        const done = await this.jobs.findForAccount(job.accountId, input.transcript_job_id);
        if (!done?.result || done.status !== 'completed') throw new AppError('media_unavailable', 'The transcription is no longer available');
        source = done.result as unknown as Transcript;
      } else {
        const produced = await this.transcriber.produce(job, input.transcription!, work, { ...run, progress: (p) => run.progress(p * 0.8) });
        source = produced.transcript;
        price = produced.price + Math.max(0, this.config.prices.translate - this.config.prices.transcribe);
      }
      run.progress(80);
      const from = baseLanguage(input.source_language ?? source.language);
      const texts = await this.translate(input.provider, from, input.target_language, source.segments.map((s) => s.text), run.signal);
      const segments = withoutWords(source).segments.map((s, i) => ({ ...s, text: texts[i] ?? '' }));
      const translated: Transcript & { source_language: string; transcript_provider: string } = {
        language: input.target_language,
        source: source.source,
        provider: input.provider === 'local' ? 'apertium' : 'openai',
        transcript_provider: source.provider,
        source_language: from,
        duration: source.duration,
        text: fullText(segments),
        segments,
      };
      run.progress(95);
      const output = await this.transcriber.storeTranscript(job, work, translated, input.format, input.filename ?? `translation.${input.target_language}`);
      return {
        result: { ...translated, format: input.format, metadata: input.metadata ?? null },
        outputs: [output],
        refund: Math.max(0, job.creditsCharged - Math.min(price, job.creditsCharged)),
      };
    } finally {
      await this.storage.removeWorkDir(job.id);
    }
  }

  private async translate(provider: 'local' | 'openai', from: string, to: string, texts: string[], signal: AbortSignal): Promise<string[]> {
    if (provider === 'openai') return this.withChat(from, to, texts, signal);
    const mode = apertiumMode(from, to);
    if (!mode) throw new AppError('unsupported_language', `No translation from ${from} to ${to}`);
    return this.apertium.translate(mode, texts, signal);
  }

  /**
   * Chat completions in batches of numbered segments, so every translation lands on its own
   * segment (and timing); a batch that comes back with an id missing is asked again.
   */
  private async withChat(from: string, to: string, texts: string[], signal: AbortSignal): Promise<string[]> {
    const o = this.config.speech.openai;
    const batches: Array<Array<{ id: number; text: string }>> = [];
    for (let i = 0; i < texts.length; i += o.translateBatch) {
      batches.push(texts.slice(i, i + o.translateBatch).map((text, j) => ({ id: i + j, text })));
    }
    const out = new Array<string>(texts.length);
    await mapBounded(batches, o.concurrency, async (batch) => {
      const ids = batch.map((b) => b.id);
      for (let attempt = 1; ; attempt++) {
        const reply = parseTranslationReply(await this.openai.chat(translationMessages(batch, from, to), signal), ids);
        if (reply) {
          for (const id of ids) out[id] = reply.get(id)!;
          return;
        }
        if (attempt >= 3) throw new AppError('upstream_failed', 'The translation server did not return every segment');
      }
    });
    return out;
  }
}

import { Inject } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { HandlesJob, type Job, type JobContext, type JobHandler, type JobOutcome } from '../../core/jobs/job-handler.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { AppError } from '../../errors.js';
import { baseLanguage } from '../../platform/languages.js';
import { mapBounded } from '../../platform/concurrency.js';
import { apertiumMode } from '../../platform/tools/apertium-args.js';
import { ApertiumRepository } from '../../platform/tools/apertium.repository.js';
import { OpenAiRepository } from '../../platform/tools/openai.repository.js';
import { fullText, TranscriberService, withoutWords, type ProducedTranscript, type Transcript } from '../transcribe/index.js';
import { parseTranslationReply, translationMessages } from './translate-args.js';
import type { TranslateJobResult } from './translate.job.js';

/**
 * A translation job: the transcript (made first when needed), translated segment by segment
 * with its timings. From a transcription job it costs the translate price; otherwise what the
 * transcript cost plus the difference between the two prices.
 */
@HandlesJob('translate')
export class TranslateHandler implements JobHandler<'translate'> {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly transcriber: TranscriberService,
    private readonly apertium: ApertiumRepository,
    private readonly jobs: JobsService,
    private readonly openai: OpenAiRepository,
  ) {}

  async run(job: Job<'translate'>, ctx: JobContext): Promise<JobOutcome<'translate'>> {
    const input = job.input;
    const { transcript: source, cost, own } = await this.source(job, ctx);
    ctx.progress(80);
    const from = baseLanguage(input.source_language ?? source.language);
    const texts = await this.translate(input.provider, from, input.target_language, source.segments.map((s) => s.text), ctx.signal);
    const segments = withoutWords(source).segments.map((s, i) => ({ ...s, text: texts[i] ?? '' }));
    const translated: Transcript & Pick<TranslateJobResult, 'source_language' | 'transcript_provider'> = {
      language: input.target_language,
      source: source.source,
      provider: input.provider === 'local' ? 'apertium' : 'openai',
      transcript_provider: source.provider,
      source_language: from,
      duration: source.duration,
      truncated_at: source.truncated_at ?? null,
      text: fullText(segments),
      segments,
    };
    ctx.progress(95);
    const output = await this.transcriber.storeTranscript(ctx, translated, input.format, input.filename ?? `translation.${input.target_language}`);
    return { result: { ...translated, format: input.format, metadata: input.metadata ?? null }, outputs: [output], cost, settle: own };
  }

  /** The transcript to translate and what the whole job costs with it. */
  private async source(job: Job<'translate'>, ctx: JobContext): Promise<{ transcript: Transcript; cost: number; own?: ProducedTranscript['own'] }> {
    const { input } = job;
    if (input.transcript_job_id) {
      const done = await this.jobs.ownedOf(job.accountId, input.transcript_job_id, 'transcribe');
      if (!done?.result || done.status !== 'completed') throw new AppError('media_unavailable', 'The transcription is no longer available');
      return { transcript: done.result, cost: this.config.prices.translate };
    }
    const extra = Math.max(0, this.config.prices.translate - this.config.prices.transcribe);
    const produced = await this.transcriber.produce(job, input.transcription!, { ...ctx, progress: (p) => ctx.progress(p * 0.8) }, extra);
    return { transcript: produced.transcript, cost: produced.price + extra, own: produced.own };
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

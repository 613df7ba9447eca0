import { Inject, Injectable, Logger } from '@nestjs/common';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CONFIG, type Config } from '../../config.js';
import type { JobContext, SqlRunner } from '../../core/jobs/job-handler.js';
import type { JobOutput } from '../../core/jobs/job.entity.js';
import { AppError } from '../../errors.js';
import { safeFilename } from '../../platform/filenames.js';
import { mapBounded } from '../../platform/concurrency.js';
import { EgressProxyRepository } from '../../platform/tools/egress-proxy.repository.js';
import { FfmpegRepository } from '../../platform/tools/ffmpeg.repository.js';
import { OpenAiRepository } from '../../platform/tools/openai.repository.js';
import { LocalSpeechRepository } from '../../platform/tools/speech.repository.js';
import type { Segment } from '../../platform/tools/speech-types.js';
import { YtdlpRepository } from '../../platform/tools/ytdlp.repository.js';
import { MediaSourceService } from '../download/index.js';
import { chunkArgs, estimateOpusBytes, parseSilences, planChunks, silenceDetectArgs, speechOpusArgs } from './chunking.js';
import { captionArgs, speechWavArgs } from './transcribe-args.js';
import { asrPrice, asrSecondsCovered } from './transcribe-pricing.js';
import type { Transcript, TranscribeJobInput } from './transcribe.job.js';
import { fullText, parseCaptions, renderTranscript, segmentWords, TRANSCRIPT_CONTENT_TYPES, type TranscriptFormat } from './transcript-formats.js';
import { TranscriptRepository } from './transcript.repository.js';

/** A transcript for a job: what it cost, and what makes it the account's when the job completes. */
export interface ProducedTranscript {
  transcript: Transcript;
  price: number;
  reused: boolean;
  /** Records the account's ownership; for the job's `settle` (its completion transaction). */
  own?: (tx: SqlRunner) => Promise<void>;
}

/** Who asks for a transcript: the job's account and id (a translation asks too). */
export interface TranscriptJob {
  id: string;
  accountId: string;
}

/**
 * Makes transcripts: the site's captions when the plan says they exist (and the caller allows
 * them), speech recognition otherwise, or the one the account already owns. Used by
 * transcription and translation jobs alike.
 */
@Injectable()
export class TranscriberService {
  private readonly logger = new Logger(TranscriberService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly sources: MediaSourceService,
    private readonly ytdlp: YtdlpRepository,
    private readonly ffmpeg: FfmpegRepository,
    private readonly speech: LocalSpeechRepository,
    private readonly transcripts: TranscriptRepository,
    private readonly egress: EgressProxyRepository,
    private readonly openai: OpenAiRepository,
  ) {}

  /**
   * The transcript the plan asks for: owned already (price 0), the site's captions, or speech
   * recognition. Saved as owned by the account. Also the first half of a translation.
   */
  async produce(job: TranscriptJob, input: TranscribeJobInput, ctx: JobContext, besides = 0): Promise<ProducedTranscript> {
    const owned = await this.transcripts.find(job.accountId, input.plan.source_key, input.plan.language, [input.plan.provider], job.id);
    if (owned) return { transcript: owned.transcript, price: 0, reused: true };
    if (input.plan.mode === 'captions') {
      // Planned free (owned then) but no longer owned (retention deleted it): the captions price is charged now, or nothing is made.
      const needed = this.config.prices.transcribe + besides;
      if ((await ctx.reserve(needed, 'captions: the transcript owned at submit is gone')) < needed) {
        throw new AppError('insufficient_credits', 'The transcript this job was planned to reuse is gone, and the balance does not pay for making it again');
      }
    }
    const captions = input.plan.mode === 'captions' ? await this.fromCaptions(input, ctx.workDir) : undefined;
    if (!captions && input.source === 'captions') {
      throw new AppError('media_unavailable', `No ${input.plan.language} captions could be fetched for this media`);
    }
    const made = captions ? { transcript: captions, price: this.config.prices.transcribe } : await this.fromSpeech(job, input, ctx, besides);
    // Owned from the moment the job completes, in its completion transaction (never by a run that
    // does not complete it). A transcript cut short is not the account's to reuse.
    const own = made.transcript.truncated_at == null
      ? (tx: SqlRunner) => this.transcripts.save(job.accountId, input.plan.source_key, job.id, made.transcript, tx)
      : undefined;
    return { ...made, reused: false, own };
  }

  /** The site's captions in the planned language, parsed into segments; undefined if unavailable. */
  private async fromCaptions(input: TranscribeJobInput, work: string): Promise<Transcript | undefined> {
    if (!input.url || input.plan.mode !== 'captions') return undefined;
    const session = await this.egress.open();
    try {
      const args = captionArgs(input.url, {
        language: input.plan.language,
        kind: input.plan.kind ?? 'manual',
        outputDir: work,
        proxy: session?.proxyUrl,
        maxDurationSeconds: this.config.limits.maxDurationSeconds,
      });
      const res = await this.ytdlp.run(args, { timeoutMs: 120_000 });
      const file = (await readdir(work)).find((f) => f.startsWith('captions.') && f.endsWith('.vtt'));
      if (!file) {
        this.logger.warn(`no captions file (yt-dlp exited ${res.exitCode}): ${res.stderr.slice(-200)}`);
        return undefined;
      }
      const segments = parseCaptions(await readFile(path.join(work, file), 'utf8'));
      if (segments.length === 0) return undefined;
      return {
        language: input.plan.language,
        source: 'captions',
        provider: 'captions',
        duration: input.plan.duration ?? segments[segments.length - 1]!.end,
        text: fullText(segments),
        segments,
      };
    } finally {
      session?.close();
    }
  }

  /**
   * Speech recognition of the media as it is at run time, bounded by what the job is charged:
   * when the media is longer than planned (captions that could not be fetched, a longer file,
   * an unknown duration), the difference is charged if the account can pay it; otherwise only
   * the minutes paid for are recognized and `truncated_at` says where it stopped. Priced from
   * the audio actually recognized; `besides` is what the job is charged for its other work.
   */
  private async fromSpeech(job: TranscriptJob, input: TranscribeJobInput, ctx: JobContext, besides: number): Promise<{ transcript: Transcript; price: number }> {
    const provider = this.config.speech.provider;
    if (provider === 'local' && !this.speech.languages.includes(input.plan.language)) {
      throw new AppError('unsupported_language', `Speech recognition here does not support ${input.plan.language}`);
    }
    const media = await this.sources.acquire(
      job.accountId,
      { url: input.url, upload_id: input.upload_id, audio_only: true },
      { ...ctx, progress: (p) => ctx.progress(p * 0.3) },
    );
    const measured = await this.measure(media.file, ctx);
    const prices = this.config.prices;
    const charged = await ctx.reserve(asrPrice(prices, measured.duration) + besides, 'speech recognition: the media is longer than planned');
    const covered = asrSecondsCovered(prices, charged - besides);
    if (covered === 0) throw new AppError('insufficient_credits', 'The credits reserved for this job do not pay for a minute of speech recognition');
    const limit = measured.duration > covered + 0.5 ? covered : undefined;
    const words = input.timestamps === 'word';
    const recognized =
      provider === 'openai'
        ? await this.withOpenAi(measured.file, Math.min(measured.duration, limit ?? Infinity), limit, input, ctx, words, besides)
        : await this.withPocketsphinx(measured.file, limit, ctx);
    const transcript: Transcript = {
      language: input.plan.language,
      source: 'asr',
      provider,
      duration: measured.duration,
      truncated_at: limit ?? null,
      text: fullText(recognized.segments),
      segments: recognized.segments,
    };
    return { transcript, price: asrPrice(prices, recognized.duration) };
  }

  /**
   * The audio's duration as it is now. A file that does not say (a live-style stream) is
   * decoded once into the WAV speech reads, bounded by the longest media accepted, and measured.
   */
  private async measure(file: string, ctx: JobContext): Promise<{ file: string; duration: number }> {
    const source = await this.ffmpeg.probe(file);
    if (source && !source.audio) throw new AppError('media_unavailable', 'The media has no audio that can be read');
    if (source?.duration != null) return { file, duration: source.duration };
    const wav = path.join(ctx.workDir, 'measured.wav');
    const conv = await this.ffmpeg.run(speechWavArgs(file, wav, this.config.limits.maxDurationSeconds), { timeoutMs: 30 * 60_000, signal: ctx.signal });
    const duration = conv.exitCode === 0 ? (await this.ffmpeg.probe(wav))?.duration : undefined;
    if (duration == null) throw new AppError('media_unavailable', 'The media has no audio that can be read');
    return { file: wav, duration };
  }

  /** pocketsphinx over the first `limit` seconds (all when undefined); `duration` is what it heard. */
  private async withPocketsphinx(file: string, limit: number | undefined, ctx: JobContext): Promise<{ segments: Segment[]; duration: number }> {
    const wav = path.join(ctx.workDir, 'speech.wav');
    const conv = await this.ffmpeg.run(speechWavArgs(file, wav, limit), { timeoutMs: 30 * 60_000, signal: ctx.signal });
    if (conv.exitCode !== 0) throw new AppError('media_unavailable', 'The media has no audio that can be read');
    const duration = (await this.ffmpeg.probe(wav))?.duration ?? 0;
    ctx.progress(35);
    // pocketsphinx reports nothing while it works; it runs at about 0.15× real time here, so
    // progress is estimated from the clock (and never claims to be done before it is).
    const started = Date.now();
    const ticker = setInterval(() => ctx.progress(35 + 55 * Math.min(0.95, (Date.now() - started) / 1000 / Math.max(1, duration * 0.2))), 2000);
    const words = await this.speech.recognize(wav, duration, ctx.signal).finally(() => clearInterval(ticker));
    // pocketsphinx exits 0 with nothing when it cannot read its input: silence is the only
    // honest reason for an empty transcript.
    if (words.length === 0 && duration > 1 && !(await this.ffmpeg.isSilent(wav))) {
      throw new AppError('upstream_failed', 'Speech recognition produced nothing from audio that is not silent');
    }
    return { segments: segmentWords(words), duration };
  }

  /**
   * Whisper through an OpenAI-compatible API. The audio is planned before it is encoded: when
   * its Opus would exceed the upload limit (or the longest chunk), it is cut at silences and
   * each chunk is encoded straight from the source — one encoding pass in all — then sent
   * OPENAI_CONCURRENCY at a time and stitched back with its offset.
   */
  private async withOpenAi(
    file: string,
    duration: number,
    limit: number | undefined,
    input: TranscribeJobInput,
    ctx: JobContext,
    words: boolean,
    besides: number,
  ): Promise<{ segments: Segment[]; duration: number }> {
    const o = this.config.speech.openai;
    const estimate = estimateOpusBytes(duration);
    const needsCuts = estimate > o.maxUploadBytes || duration > o.maxChunkSeconds;
    const silences = needsCuts
      ? parseSilences((await this.ffmpeg.run(silenceDetectArgs(file, limit), { timeoutMs: 30 * 60_000, signal: ctx.signal, maxStdoutBytes: 16 * 1024 * 1024 })).stdout)
      : [];
    const chunks = planChunks(duration, estimate, o.maxUploadBytes, silences, o.maxChunkSeconds);
    const encoders = Math.max(1, Math.min(os.availableParallelism(), 4));
    const files = await mapBounded(chunks, encoders, async ([start, end], i) => {
      const out = path.join(ctx.workDir, `chunk-${i}.ogg`);
      const args = chunks.length === 1 ? speechOpusArgs(file, out, limit) : chunkArgs(file, out, start, end);
      const res = await this.ffmpeg.run(args, { timeoutMs: 60 * 60_000, signal: ctx.signal });
      if (res.exitCode !== 0) throw new Error(`encoding audio chunk ${i} failed: ${res.stderr.slice(-200)}`);
      if ((await stat(out)).size > o.maxUploadBytes) throw new Error(`audio chunk ${i} is over the upload limit; lower OPENAI_MAX_CHUNK_SECONDS`);
      return out;
    });
    ctx.progress(35);
    let done = 0;
    let sent = 0;
    const results = await mapBounded(files, o.concurrency, async (chunk, i) => {
      const r = await this.openai.transcribe(chunk, { language: input.plan.language, words, signal: ctx.signal });
      // Minutes the provider has recognized are spent, even if the job is canceled now.
      sent += chunks[i]![1] - chunks[i]![0];
      await ctx.commit(asrPrice(this.config.prices, sent) + besides);
      ctx.progress(35 + (++done / files.length) * 55);
      return r;
    });
    const segments = results.flatMap((r, i) => r.segments.map((s) => shift(s, chunks[i]![0], chunks[i]![1])));
    return { segments, duration };
  }

  /** Stores a transcript among the job's outputs in `format`, named `<name>.<format>`. */
  async storeTranscript(ctx: JobContext, transcript: Transcript, format: TranscriptFormat, name: string): Promise<JobOutput> {
    const filename = `${safeFilename(name)}.${format}`;
    const file = path.join(ctx.workDir, `out.${format}`);
    await writeFile(file, renderTranscript(transcript, format));
    return ctx.store(file, filename, 'transcript', TRANSCRIPT_CONTENT_TYPES[format]);
  }
}

/** A chunk's segment on the recording's clock, kept inside the chunk it came from. */
function shift(s: Segment, offset: number, chunkEnd: number): Segment {
  const round = (n: number) => Math.min(chunkEnd, Math.round((n + offset) * 1000) / 1000);
  return { ...s, start: round(s.start), end: round(s.end), ...(s.words ? { words: s.words.map((w) => ({ ...w, start: round(w.start), end: round(w.end) })) } : {}) };
}

import { createReadStream, createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HandlesJob, type Job, type JobContext, type JobHandler, type JobOutcome } from '../../core/jobs/job-handler.js';
import type { JobOutput } from '../../core/jobs/job.entity.js';
import { AppError } from '../../errors.js';
import { mapBounded } from '../../platform/concurrency.js';
import { safeFilename } from '../../platform/filenames.js';
import { FfmpegRepository } from '../../platform/tools/ffmpeg.repository.js';
import { bytesRead, loggedInput, rawAudioInput, rawVideoInput, type LoggedInput, type ProbedMedia } from '../../platform/tools/ffprobe.js';
import {
  animationArgs, clipArgs, copyFits, everyFrameArgs, keyframesBeforeArgs, outputKind, outputSize, PEAK_SAMPLE_RATE, pcmArgs, sheetArgs, thumbnailArgs, tileFrameArgs,
  tileFramesArgs, waveformPngArgs, type Size,
} from './preview-args.js';
import {
  checkAgainstDuration, even, PeakMeter, planStoryboard, PREVIEW_FORMATS, PREVIEW_LIMITS, quarterOf, scaledHeight, spreadTimes, storyboardVtt, waveformSvg,
  windowIn,
} from './preview-plan.js';
import { PreviewSourceService, type EarlySource, type PreviewSource } from './preview-source.service.js';
import type { PreviewJobInput, PreviewJobResult } from './preview.job.js';

const FFMPEG_TIMEOUT_MS = 10 * 60_000;
/** Seeks one preview may have going at once (each is one ffmpeg and one HTTP connection). */
const SEEKS_AT_ONCE = 4;
/** The most seeks one ffmpeg makes (each an input of its own). */
const SEEKS_PER_PROCESS_MAX = 10;
/** Above this many frames a storyboard decodes the media once instead of seeking per frame. */
const SEEK_FRAMES_MAX = 100;

/** What a preview needs to know of its media: what ffprobe read, or what ffmpeg logged (`loggedInput`). */
type MediaFacts = Pick<ProbedMedia, 'duration'> & { video: { width: number; height: number } | null; audio: object | null };

/** A thumbnail's or GIF's file before it is stored, and what its ffmpeg logged. */
interface Rendered {
  file: string;
  /** Made, with something in it. */
  ok: boolean;
  /** What to say when it was not. */
  failure: string;
  window: { start: number; duration: number };
  bytesRead: number;
  /** The media as ffmpeg opened it; null when it could not. */
  media: LoggedInput | null;
  size: Size | null;
}

/** Thumbnails and GIFs whose time is given, of a URL naming a media file: see `madeEarly`. */
function startsEarly(input: PreviewJobInput): boolean {
  return !!input.url && ((input.type === 'thumbnail' && input.timestamp !== undefined) || (input.type === 'gif' && input.start !== undefined));
}

type Made = { result: Omit<PreviewJobResult, 'type' | 'format' | 'source' | 'metadata'>; outputs: JobOutput[] };

/**
 * A preview job: opens the source (in place over HTTP when it can, so a frame at 1:30:00 reads
 * a few megabytes, not two hours) and makes the one thing asked for. Priced flat; a failure
 * is refunded by the lifecycle.
 */
@HandlesJob('preview')
export class PreviewHandler implements JobHandler<'preview'> {
  constructor(
    private readonly sources: PreviewSourceService,
    private readonly ffmpeg: FfmpegRepository,
  ) {}

  async run(job: Job<'preview'>, ctx: JobContext): Promise<JobOutcome<'preview'>> {
    const input = job.input;
    const format = input.format ?? PREVIEW_FORMATS[input.type][0]!;
    const early = startsEarly(input) ? await this.sources.openEarly(input.url!) : null;
    const done = early ? await this.madeEarly(input, format, early, ctx) : null;
    if (done) return this.outcome(job, format, done.media, done.bytesRead, done.made);
    const source = await this.sources.open(job.accountId, input, input.type === 'waveform' ? 'audio' : 'video', ctx);
    try {
      this.check(input, source.probe);
      ctx.progress(50);
      const made = await this.make(input, format, source, ctx);
      return this.outcome(job, format, source.probe, source.bytesRead, made);
    } finally {
      source.close();
    }
  }

  /**
   * A thumbnail or GIF whose time is given, of a URL naming a media file: its command needs
   * nothing ffprobe says, so one ffmpeg does it all, and what it logged of the media passes the
   * checks of the ordinary way before anything is stored. Null when ffmpeg could not open the
   * URL as media: the job then goes the ordinary way (a page under a media name is resolved by
   * yt-dlp there).
   */
  private async madeEarly(input: PreviewJobInput, format: string, early: EarlySource, ctx: JobContext): Promise<{ media: MediaFacts; bytesRead: number; made: Made } | null> {
    try {
      const rendered = await this.render(input, format, early.input, null, ctx);
      const media = rendered.media;
      early.refuse(media?.duration ?? null);
      if (!media) return null;
      this.check(input, media);
      if (!rendered.ok) throw new AppError('media_unavailable', rendered.failure);
      ctx.progress(50);
      return { media, bytesRead: rendered.bytesRead, made: await this.finish(input, format, rendered, media.duration, ctx) };
    } finally {
      early.close();
    }
  }

  /** What the media must be for this preview: video (or audio for a waveform) and times inside it. */
  private check(input: PreviewJobInput, media: MediaFacts): void {
    if (input.type === 'waveform' ? !media.audio : !media.video) {
      throw new AppError('media_unavailable', input.type === 'waveform' ? 'The media has no audio' : 'The media has no video: only a waveform can be made of it');
    }
    const problems = checkAgainstDuration(input, media.duration);
    if (problems.length) throw new AppError('validation_failed', problems.map((p) => p.message).join('; '), { errors: problems });
  }

  private outcome(job: Job<'preview'>, format: string, media: MediaFacts, bytesRead: number, made: Made): JobOutcome<'preview'> {
    return {
      result: {
        type: job.input.type,
        format,
        source: { duration: media.duration, width: media.video?.width ?? null, height: media.video?.height ?? null, bytes_read: bytesRead },
        ...made.result,
        metadata: job.input.metadata ?? null,
      },
      outputs: made.outputs,
      cost: job.creditsCharged,
    };
  }

  private async make(input: PreviewJobInput, format: string, source: PreviewSource, ctx: JobContext): Promise<Made> {
    switch (input.type) {
      case 'thumbnail':
      case 'gif': {
        const rendered = await this.render(input, format, source.input, source.probe.duration, ctx);
        if (source.remote) source.bytesRead += rendered.bytesRead;
        if (!rendered.ok) throw new AppError('media_unavailable', rendered.failure);
        return this.finish(input, format, rendered, source.probe.duration, ctx);
      }
      case 'mosaic':
        return this.mosaic(input, format, source, ctx);
      case 'clip':
        return this.clip(input, format, source, ctx);
      case 'storyboard':
        return this.storyboard(input, format, source, ctx);
      case 'waveform':
        return this.waveform(input, format, source, ctx);
    }
  }

  /**
   * The file of a thumbnail or a GIF (animation), made by one ffmpeg from `from`, and what ffmpeg
   * logged of the media. `duration` is the media's when known: it places the default time, and
   * ends the window where the media ends (unknown, ffmpeg ends it there itself).
   */
  private async render(input: PreviewJobInput, format: string, from: string[], duration: number | null, ctx: Pick<JobContext, 'signal' | 'workDir'>): Promise<Rendered> {
    if (input.type === 'thumbnail') {
      const at = input.timestamp ?? quarterOf(duration);
      const file = this.file(ctx, `thumbnail.${format}`);
      const run = await this.ffmpegLogged(thumbnailArgs(from, at, { width: input.width ?? null }, format, file), ctx);
      return { file, window: { start: at, duration: 0 }, failure: 'No frame could be read at that time', ...run };
    }
    const L = PREVIEW_LIMITS.gif;
    const window = windowIn(input.start ?? quarterOf(duration), input.duration ?? L.defaultDuration, duration);
    const file = this.file(ctx, `preview.${format}`);
    // Never larger than the source unless asked.
    const fit = { width: input.width ?? null, cap: L.defaultWidth };
    const run = await this.ffmpegLogged(animationArgs(from, window, input.fps ?? L.defaultFps, fit, format, file), ctx);
    return { file, window, failure: 'The window could not be read', ...run };
  }

  /** Stores what `render` made, described with the size ffmpeg made and the media's `duration`. */
  private async finish(input: PreviewJobInput, format: string, rendered: Rendered, duration: number | null, ctx: JobContext): Promise<Made> {
    if (!rendered.size) throw new Error('ffmpeg did not log the size of what it made');
    const { width, height } = rendered.size;
    if (input.type === 'thumbnail') {
      const output = await this.store(ctx, rendered.file, input, 'thumbnail', format, { width, height });
      return { result: { timestamp: rendered.window.start, width, height }, outputs: [output] };
    }
    const w = windowIn(rendered.window.start, rendered.window.duration, duration);
    const fps = input.fps ?? PREVIEW_LIMITS.gif.defaultFps;
    const output = await this.store(ctx, rendered.file, input, 'preview', format, { width, height, duration: w.duration });
    return { result: { start: w.start, duration: w.duration, fps, frames: Math.max(1, Math.round(w.duration * fps)), width, height }, outputs: [output] };
  }

  private async mosaic(input: PreviewJobInput, format: string, source: PreviewSource, ctx: JobContext): Promise<Made> {
    const L = PREVIEW_LIMITS.mosaic;
    const duration = this.knownDuration(source);
    const columns = input.columns ?? L.defaultGrid;
    const rows = input.rows ?? L.defaultGrid;
    const tileWidth = even(Math.floor((input.width ?? L.defaultWidth) / columns) - 1);
    const tile = { width: tileWidth, height: scaledHeight(tileWidth, this.size(source)) };
    const times = spreadTimes(duration, columns * rows);
    const raw = await this.framesBySeeking(source, times, tile, ctx);
    const file = this.file(ctx, `mosaic.${format}`);
    await this.ffmpegRun(sheetArgs(rawVideoInput(raw, tile.width, tile.height), columns, rows, format, file, 1), ctx, 'The contact sheet could not be made');
    const output = await this.store(ctx, file, input, 'mosaic', format, { width: tile.width * columns, height: tile.height * rows });
    return {
      result: { columns, rows, tile_width: tile.width, tile_height: tile.height, width: output.width!, height: output.height!, timestamps: times },
      outputs: [output],
    };
  }

  private async clip(input: PreviewJobInput, format: string, source: PreviewSource, ctx: JobContext): Promise<Made> {
    const requested = windowIn(input.start ?? 0, input.duration ?? PREVIEW_LIMITS.clip.defaultDuration, source.probe.duration);
    const { video, audio } = source.probe;
    // A stream copy only where the codecs fit the container; otherwise the clip is re-encoded (and says so).
    const precision = input.precision === 'fast' && copyFits(format, video?.codec ?? null, audio?.codec ?? null) ? 'fast' : 'exact';
    let start = requested.start;
    if (precision === 'fast' && start > 0) {
      const res = await this.ffmpeg.probeWith(keyframesBeforeArgs(source.input, start), { timeoutMs: 60_000, signal: ctx.signal });
      if (source.remote) source.bytesRead += bytesRead(res.stderr);
      const keyframes = res.stdout.split('\n').map((l) => Number(l.split(',')[0])).filter((t) => Number.isFinite(t) && t <= start + 0.001);
      start = keyframes.length ? Math.round(Math.max(...keyframes) * 1000) / 1000 : start;
    }
    const w = { start, duration: Math.round((requested.duration + (requested.start - start)) * 1000) / 1000 };
    const file = this.file(ctx, `clip.${format}`);
    await this.ffmpegRun(clipArgs(source.input, precision === 'fast' ? w : requested, precision, format, file), ctx, 'The clip could not be made', source);
    const made = await this.ffmpeg.probe(file, { signal: ctx.signal });
    if (!made?.duration) throw new AppError('media_unavailable', 'The clip came out empty');
    const width = made.video?.width;
    const output = await this.store(ctx, file, input, 'clip', format, { ...(width ? { width, height: made.video!.height } : {}), duration: made.duration });
    return {
      result: { start: precision === 'fast' ? start : requested.start, requested_start: requested.start, duration: made.duration, precision, ...(width ? { width, height: made.video!.height } : {}) },
      outputs: [output],
    };
  }

  private async storyboard(input: PreviewJobInput, format: string, source: PreviewSource, ctx: JobContext): Promise<Made> {
    const duration = this.knownDuration(source);
    const plan = planStoryboard(duration, input.interval);
    const tileWidth = even(input.tile_width ?? PREVIEW_LIMITS.storyboard.defaultTileWidth);
    const tile = { width: tileWidth, height: scaledHeight(tileWidth, this.size(source)) };
    const raw =
      plan.times.length > SEEK_FRAMES_MAX
        ? await this.framesInOnePass(source, plan.interval, plan.times.length, tile, ctx)
        : await this.framesBySeeking(source, plan.times, tile, ctx);
    ctx.progress(85);
    const pattern = this.file(ctx, `sheet-%03d.${format}`);
    await this.ffmpegRun(sheetArgs(rawVideoInput(raw, tile.width, tile.height), plan.columns, plan.rows, format, pattern, plan.sheets), ctx, 'The sprite sheets could not be made');
    const base = safeFilename(input.filename ?? 'storyboard');
    const sheets: JobOutput[] = [];
    for (let i = 0; i < plan.sheets; i++) {
      const file = this.file(ctx, `sheet-${String(i + 1).padStart(3, '0')}.${format}`);
      const { kind, contentType } = outputKind('storyboard', format);
      const stored = await ctx.store(file, `${base}-${String(i + 1).padStart(3, '0')}.${format}`, kind, contentType);
      sheets.push({ ...stored, width: tile.width * plan.columns, height: tile.height * plan.rows });
    }
    // Players fetch the sheets the WebVTT names; each is named by a link that works as long as the files are kept.
    const links = await Promise.all(sheets.map((s) => ctx.link(s)));
    const vtt = this.file(ctx, 'storyboard.vtt');
    await writeFile(vtt, storyboardVtt(plan, duration, tile, (i) => links[i]!));
    const track = await ctx.store(vtt, `${base}.vtt`, 'vtt', 'text/vtt');
    return {
      result: { interval: plan.interval, frames: plan.times.length, sheets: plan.sheets, columns: plan.columns, rows: plan.rows, tile_width: tile.width, tile_height: tile.height },
      outputs: [track, ...sheets],
    };
  }

  private async waveform(input: PreviewJobInput, format: string, source: PreviewSource, ctx: JobContext): Promise<Made> {
    const L = PREVIEW_LIMITS.waveform;
    const width = input.width ?? L.defaultWidth;
    const height = input.height ?? L.defaultHeight;
    const color = input.color ?? L.defaultColor;
    const background = input.background ?? L.defaultBackground;
    const pcm = this.file(ctx, 'audio.pcm');
    await this.ffmpegRun(pcmArgs(source.input, pcm), ctx, 'The audio could not be decoded', source);
    const samples = Math.floor((await stat(pcm)).size / 2);
    if (samples === 0) throw new AppError('media_unavailable', 'The media has no audio that can be read');
    // Streamed through, a chunk at a time: an hour of audio is 57 MB of PCM, never held at once.
    const meter = new PeakMeter(width, samples);
    for await (const chunk of createReadStream(pcm, { highWaterMark: 256 * 1024 })) meter.push(chunk as Buffer);
    const peaks = meter.result();
    const file = this.file(ctx, `waveform.${format}`);
    if (format === 'svg') await writeFile(file, waveformSvg(peaks, width, height, color, background));
    else await this.ffmpegRun(waveformPngArgs(rawAudioInput(pcm, PEAK_SAMPLE_RATE), width, height, color, background, file), ctx, 'The waveform picture could not be drawn');
    const output = await this.store(ctx, file, input, 'waveform', format, { width, height });
    return { result: { peaks, width, height, duration: Math.round((samples / PEAK_SAMPLE_RATE) * 1000) / 1000 }, outputs: [output] };
  }

  /**
   * One frame per time, each by its own seek (a few hundred kilobytes over HTTP each), as raw
   * tiles appended in order into one file. A frame that cannot be read is left black.
   */
  private async framesBySeeking(source: PreviewSource, times: number[], tile: { width: number; height: number }, ctx: JobContext): Promise<string> {
    let done = 0;
    const tileBytes = tile.width * tile.height * 3;
    const made = (file: string) => stat(file).then((s) => s.size === tileBytes, () => false);
    const seek = async (batch: Array<{ at: number; file: string }>) => {
      const args = batch.length === 1 ? tileFrameArgs(source.input, batch[0]!.at, tile, batch[0]!.file) : tileFramesArgs(source.input, batch.map((b) => b.at), tile, batch.map((b) => b.file));
      const res = await this.ffmpeg.run(args, { timeoutMs: 120_000, signal: ctx.signal });
      if (source.remote) source.bytesRead += bytesRead(res.stderr);
      return res.exitCode === 0;
    };
    // The seeks go in groups, one ffmpeg each, SEEKS_AT_ONCE groups at a time; a group that
    // fails (one seek past a broken spot fails its whole command) is retried a seek at a time.
    const wanted = times.map((at, i) => ({ at, file: this.file(ctx, `frame-${i}.rgb`) }));
    const perProcess = Math.min(SEEKS_PER_PROCESS_MAX, Math.ceil(wanted.length / SEEKS_AT_ONCE));
    const groups = Array.from({ length: Math.ceil(wanted.length / perProcess) }, (_, g) => wanted.slice(g * perProcess, (g + 1) * perProcess));
    const results = await mapBounded(groups, SEEKS_AT_ONCE, async (group) => {
      const whole = await seek(group);
      const out: Array<string | null> = [];
      for (const frame of group) {
        let ok = whole && (await made(frame.file));
        if (!ok && group.length > 1) ok = (await seek([frame])) && (await made(frame.file));
        out.push(ok ? frame.file : null);
      }
      done += group.length;
      ctx.progress(50 + (done / times.length) * 35);
      return out;
    });
    const frames = results.flat();
    if (frames.every((f) => f === null)) throw new AppError('media_unavailable', 'No frame of the media could be read');
    const raw = this.file(ctx, 'tiles.rgb');
    const black = Buffer.alloc(tile.width * tile.height * 3);
    async function* tiles() {
      for (const frame of frames) {
        if (frame) yield* createReadStream(frame);
        else yield black;
      }
    }
    await pipeline(tiles(), createWriteStream(raw));
    return raw;
  }

  /** Every `interval` seconds in one decoding pass (dense storyboards, where seeking would read it all anyway). */
  private async framesInOnePass(source: PreviewSource, interval: number, count: number, tile: { width: number; height: number }, ctx: JobContext): Promise<string> {
    const raw = this.file(ctx, 'tiles.rgb');
    await this.ffmpegRun(everyFrameArgs(source.input, interval, count, tile, raw), ctx, 'The media could not be decoded', source);
    return raw;
  }

  /** Runs one command that makes `args`' last file; `source` (when it reads the source) counts what it read. */
  private async ffmpegRun(args: string[], ctx: JobContext, failure: string, source?: PreviewSource): Promise<void> {
    const run = await this.ffmpegLogged(args, ctx);
    if (source?.remote) source.bytesRead += run.bytesRead;
    if (!run.ok) throw new AppError('media_unavailable', failure);
  }

  /**
   * Runs one command that makes `args`' last file, and says whether it did, with what ffmpeg
   * logged: the bytes it read of its input, the media it found there, the size it wrote.
   */
  private async ffmpegLogged(args: string[], ctx: Pick<JobContext, 'signal'>): Promise<Omit<Rendered, 'file' | 'window' | 'failure'>> {
    const res = await this.ffmpeg.run(args, { timeoutMs: FFMPEG_TIMEOUT_MS, signal: ctx.signal });
    const output = args[args.length - 1]!;
    const made = output.includes('%') ? 1 : await stat(output).then((s) => s.size, () => 0);
    return { ok: res.exitCode === 0 && made > 0, bytesRead: bytesRead(res.stderr), media: loggedInput(res.stderr), size: outputSize(res.stderr) };
  }

  private async store(ctx: JobContext, file: string, input: PreviewJobInput, name: string, format: string, meta: Pick<JobOutput, 'width' | 'height' | 'duration'>): Promise<JobOutput> {
    const { kind, contentType } = outputKind(input.type, format);
    const stored = await ctx.store(file, `${safeFilename(input.filename ?? name)}.${format}`, kind, contentType);
    return { ...stored, ...meta };
  }

  private file(ctx: Pick<JobContext, 'workDir'>, name: string): string {
    return path.join(ctx.workDir, name);
  }

  private size(source: PreviewSource): { width: number | null; height: number | null } {
    return { width: source.probe.video?.width ?? null, height: source.probe.video?.height ?? null };
  }

  private knownDuration(source: PreviewSource): number {
    const d = source.probe.duration;
    if (!d || d <= 0) throw new AppError('media_unavailable', 'The media does not say how long it is; a mosaic or storyboard needs that');
    return d;
  }
}

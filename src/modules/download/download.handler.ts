import { Inject } from '@nestjs/common';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG, type Config } from '../../config.js';
import { CanceledError, HandlesJob, type Job, type JobContext, type JobHandler, type JobOutcome } from '../../core/jobs/job-handler.js';
import type { JobOutput } from '../../core/jobs/job.entity.js';
import { AppError } from '../../errors.js';
import { safeFilename } from '../../platform/filenames.js';
import { FfmpegRepository } from '../../platform/tools/ffmpeg.repository.js';
import type { ProbedMedia } from '../../platform/tools/ffprobe.js';
import type { PendingProbe } from '../../platform/tools/ffmpeg.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { normalizeInfo } from '../info/index.js';
import { CONTENT_TYPES, convertArgs, isDeliverableAsIs } from './convert-args.js';
import { AUDIO_QUALITY, wantsAudioOnly } from './download-args.js';
import { AUDIO_FORMATS, type DownloadFormat } from './download-formats.js';
import type { DownloadJobInput } from './download.job.js';
import { FETCH_SHARE, MediaSourceService } from './media-source.service.js';

/** A file as ffprobe read it: which file, and its identity before the read. */
interface Inspection {
  file: string;
  identity: string;
  probe: ProbedMedia | null;
}

/** Changes whenever the file is replaced or written to. */
async function identity(file: string): Promise<string> {
  const s = await stat(file, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** yt-dlp → probe → (ffmpeg) → storage: the media work of one download job. */
@HandlesJob('download')
export class DownloadHandler implements JobHandler<'download'> {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly sources: MediaSourceService,
    private readonly ffmpeg: FfmpegRepository,
    private readonly storage: StorageRepository,
  ) {}

  async run(job: Job<'download'>, ctx: JobContext): Promise<JobOutcome<'download'>> {
    const input = job.input;
    const format: DownloadFormat = input.format ?? (wantsAudioOnly(input) ? 'm4a' : 'mp4');
    // The inspection starts when yt-dlp names its final file and overlaps yt-dlp's exit, with an
    // ffprobe started with the job (already past its start-up by then); it only counts if
    // `acquire` then returns that file, unchanged since it was read.
    // Not awaited: yt-dlp is spawned first, the probe while it starts.
    const pending = input.url ? this.ffmpeg.probeLater({ timeoutMs: this.config.worker.jobTimeoutSeconds * 1000, signal: ctx.signal }) : null;
    void pending?.catch(() => undefined);
    let early: Promise<Inspection> | null = null;
    const onFinalFile = (name: string) => {
      if (early) return;
      early = this.inspect(name, ctx.signal, path.extname(name) === `.${format}` && !input.trim, pending);
      void early.catch(() => undefined); // a run that fails after naming its file leaves it unobserved
    };
    let acquired;
    try {
      acquired = await this.sources.acquire(job.accountId, input, ctx, { onFinalFile });
    } finally {
      if (!early) void pending?.then((p) => p?.cancel(), () => undefined);
    }
    const { file, info, fromUpload } = acquired;
    const { probe } = await this.inspected(file, early, ctx.signal);
    if (!probe) throw new AppError('media_unavailable', 'The downloaded file is not readable media');
    this.checkLimits(probe, file);
    const delivered = await this.convert(file, probe, input, format, ctx);
    const finalProbe = delivered === file ? probe : (await this.inspect(delivered, ctx.signal, true)).probe;
    if (!finalProbe) throw new Error('conversion produced an unreadable file');
    ctx.progress(97);
    const base = safeFilename(input.filename ?? (info.title as string | undefined) ?? 'media');
    // An upload stays usable for other jobs: it is copied, never moved, into the outputs.
    const keepSource = fromUpload && delivered === file;
    const media = await ctx.store(delivered, `${base}.${format}`, 'media', CONTENT_TYPES[format], { keepSource });
    const outputs = [media, ...(await this.storeExtras(ctx, base))];
    const normalized = normalizeInfo(info);
    return {
      outputs,
      cost: job.creditsCharged,
      result: {
        title: normalized.title,
        source: { id: normalized.id, platform: normalized.platform, webpage_url: normalized.webpage_url ?? input.url ?? null },
        format,
        duration: finalProbe.duration,
        width: finalProbe.video?.width ?? null,
        height: finalProbe.video?.height ?? null,
        vcodec: finalProbe.video?.codec ?? null,
        acodec: finalProbe.audio?.codec ?? null,
        size: media.size,
        metadata: input.metadata ?? null,
      },
    };
  }

  /**
   * ffprobe's reading of `file`: the early inspection when it was of this very file and the file
   * has not changed since it was read (same inode, size, mtime and ctime); otherwise one made now.
   */
  private async inspected(file: string, early: Promise<Inspection> | null, signal: AbortSignal): Promise<Inspection> {
    const done = early ? await early.catch(() => null) : null;
    if (done && done.file === file && done.identity === (await identity(file))) return done;
    return this.inspect(file, signal, false);
  }

  /**
   * ffprobe of `file` (by the `pending` one when there is one); with `writeBehind`, the file's data
   * starts going to disk meanwhile (for the store that follows).
   */
  private async inspect(file: string, signal: AbortSignal, writeBehind: boolean, pending?: Promise<PendingProbe | null> | null): Promise<Inspection> {
    const before = await identity(file);
    if (writeBehind) this.storage.writeBehind(file);
    const waiting = await pending?.catch(() => null);
    return { file, identity: before, probe: await (waiting ? waiting.give(file) : this.ffmpeg.probe(file, { signal })) };
  }

  private checkLimits(probe: ProbedMedia, file: string): void {
    const { maxDurationSeconds, maxFileBytes } = this.config.limits;
    if (probe.duration !== null && probe.duration > maxDurationSeconds + 1) {
      throw new AppError('media_too_long', `The media is longer than ${maxDurationSeconds} s`);
    }
    if (probe.size !== null && probe.size > maxFileBytes) {
      throw new AppError('file_too_large', `${path.basename(file)} is larger than the maximum file size`);
    }
  }

  private async convert(
    file: string,
    probe: ProbedMedia,
    input: DownloadJobInput,
    format: DownloadFormat,
    ctx: JobContext,
  ): Promise<string> {
    const abr = input.quality ? AUDIO_QUALITY.exec(input.quality) : null;
    const request = { format, trim: input.trim, audioBitrateK: abr && AUDIO_FORMATS.has(format) ? Number(abr[1]) : undefined };
    if (request.trim && probe.duration !== null && request.trim.start >= probe.duration) {
      throw new AppError('validation_failed', `trim.start is past the end of the media (${probe.duration.toFixed(1)} s)`);
    }
    // ffprobe calls mkv and webm both `matroska,webm`: the extension tells which one yt-dlp wrote.
    if (path.extname(file) === `.${format}` && isDeliverableAsIs(probe, request)) return file;
    if (AUDIO_FORMATS.has(format) && !probe.audio) throw new AppError('media_unavailable', 'The media has no audio track');
    const output = path.join(ctx.workDir, `converted.${format}`);
    const total = request.trim ? request.trim.end - request.trim.start : (probe.duration ?? 0);
    const res = await this.ffmpeg.run(convertArgs(file, output, probe, request), {
      timeoutMs: this.config.worker.jobTimeoutSeconds * 1000,
      signal: ctx.signal,
      onSeconds: (s) => total > 0 && ctx.progress(FETCH_SHARE + Math.min(s / total, 1) * (95 - FETCH_SHARE)),
    });
    if (ctx.signal.aborted) throw new CanceledError();
    if (res.exitCode !== 0) throw new Error(`ffmpeg exited ${res.exitCode}: ${res.stderr.slice(-500)}`);
    return output;
  }

  /** Subtitles (`subs.<lang>.vtt`) and the thumbnail yt-dlp wrote beside the media. */
  private async storeExtras(ctx: JobContext, base: string): Promise<JobOutput[]> {
    const outputs: JobOutput[] = [];
    for (const name of (await readdir(ctx.workDir)).sort()) {
      const sub = /^subs\.([A-Za-z0-9_-]+)\.vtt$/.exec(name);
      if (sub) outputs.push(await ctx.store(path.join(ctx.workDir, name), `${base}.${sub[1]}.vtt`, 'subtitle', 'text/vtt'));
      else if (/^thumb\.jpg$/.test(name)) {
        outputs.push(await ctx.store(path.join(ctx.workDir, name), `${base}.jpg`, 'thumbnail', 'image/jpeg'));
      }
    }
    return outputs;
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG, type Config } from '../../config.js';
import type { JobEntity, JobOutput } from '../../core/jobs/job.entity.js';
import { AUDIO_FORMATS, type DownloadFormat } from '../../core/jobs/job-types.js';
import { AppError } from '../../errors.js';
import { EgressProxyRepository } from '../../platform/tools/egress-proxy.repository.js';
import { FfmpegRepository } from '../../platform/tools/ffmpeg.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { UploadRepository } from '../../core/uploads/upload.repository.js';
import { YtdlpRepository } from '../../platform/tools/ytdlp.repository.js';
import { safeFilename } from '../../platform/filenames.js';
import { CONTENT_TYPES, convertArgs, isDeliverableAsIs, type ProbedMedia } from './convert-args.js';
import { normalizeInfo } from '../info/info-normalize.js';
import { classifyYtdlpError, lastErrorLine } from '../../platform/tools/ytdlp-errors.js';
import { AUDIO_QUALITY, DownloadProgress, downloadArgs, parseYtdlpLine, partsFromInfo, wantsAudioOnly } from './download-args.js';
import { outputPrefix } from '../../core/jobs/jobs.service.js';

export interface DownloadInput {
  url?: string;
  upload_id?: string;
  format?: DownloadFormat;
  quality?: string;
  format_id?: string;
  audio_only?: boolean;
  trim?: { start: number; end: number };
  include_thumbnail?: boolean;
  subtitles?: string[];
  filename?: string;
  metadata?: Record<string, unknown>;
}

export interface JobRun {
  signal: AbortSignal;
  /** Reports overall progress 0–100 (throttled by the caller), with the transfer rate when known. */
  progress: (percent: number, rate?: TransferRate) => void;
  platform: (platform: string) => void;
}

export interface TransferRate {
  speed_bps: number | null;
  eta_seconds: number | null;
}

export interface JobOutcome {
  result: Record<string, unknown>;
  outputs: JobOutput[];
  /** Credits to give back from what was charged (a reservation larger than the work). */
  refund?: number;
}

/** Share of the progress bar the download takes; conversion and storing take the rest. */
const DOWNLOAD_SHARE = 85;

/** yt-dlp → probe → (ffmpeg) → storage: the media work of one download job. */
@Injectable()
export class DownloadService {
  private readonly logger = new Logger(DownloadService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly ytdlp: YtdlpRepository,
    private readonly ffmpeg: FfmpegRepository,
    private readonly storage: StorageRepository,
    private readonly egress: EgressProxyRepository,
    private readonly uploads: UploadRepository,
  ) {}

  async run(job: JobEntity, run: JobRun): Promise<JobOutcome> {
    const input = job.input as unknown as DownloadInput;
    const work = await this.storage.workDir(job.id);
    try {
      const { file, info, fromUpload } = await this.acquire(job.accountId, input, work, run);
      const probe = await this.ffmpeg.probe(file);
      if (!probe) throw new AppError('media_unavailable', 'The downloaded file is not readable media');
      this.checkLimits(probe, file);
      const format: DownloadFormat = input.format ?? (wantsAudioOnly(input) ? 'm4a' : 'mp4');
      const delivered = await this.convert(file, probe, input, format, work, run);
      const finalProbe = delivered === file ? probe : await this.ffmpeg.probe(delivered);
      if (!finalProbe) throw new Error('conversion produced an unreadable file');
      run.progress(97);
      const base = safeFilename(input.filename ?? (info.title as string | undefined) ?? 'media');
      // An upload stays usable for other jobs: it is copied, never moved, into the outputs.
      const keepSource = fromUpload && delivered === file;
      const outputs = [await this.store(job, delivered, `${base}.${format}`, 'media', CONTENT_TYPES[format], keepSource)];
      outputs.push(...(await this.storeExtras(job, work, base)));
      const normalized = normalizeInfo(info);
      return {
        outputs,
        result: {
          title: normalized.title,
          source: { id: normalized.id, platform: normalized.platform, webpage_url: normalized.webpage_url ?? input.url ?? null },
          format,
          duration: finalProbe.duration,
          width: finalProbe.video?.width ?? null,
          height: finalProbe.video?.height ?? null,
          vcodec: finalProbe.video?.codec ?? null,
          acodec: finalProbe.audio?.codec ?? null,
          size: outputs[0]!.size,
          metadata: input.metadata ?? null,
        },
      };
    } finally {
      await this.storage.removeWorkDir(job.id);
    }
  }

  /**
   * The source media as a local file: an upload (read in place when stored locally), or the
   * URL fetched with yt-dlp in the requested format. Also used by the other media jobs.
   */
  async acquire(
    accountId: string,
    input: DownloadInput,
    work: string,
    run: JobRun,
  ): Promise<{ file: string; info: Record<string, unknown>; fromUpload: boolean }> {
    return input.upload_id
      ? this.fromUpload(accountId, input.upload_id, work)
      : { ...(await this.fetch(input.url!, input, work, run)), fromUpload: false };
  }

  /** An upload is the source: no fetching, just its stored file (read in place). */
  private async fromUpload(
    accountId: string,
    uploadId: string,
    work: string,
  ): Promise<{ file: string; info: Record<string, unknown>; fromUpload: true }> {
    const upload = await this.uploads.findLive(accountId, uploadId);
    const file = upload ? await this.storage.materialize(upload.storageKey, work) : null;
    if (!upload || !file) throw new AppError('media_unavailable', 'The upload no longer exists');
    const title = upload.filename.replace(/\.[^.]+$/, '');
    return { file, info: { id: upload.id, title, extractor_key: 'upload', duration: upload.duration }, fromUpload: true };
  }

  private async fetch(url: string, input: DownloadInput, work: string, run: JobRun): Promise<{ file: string; info: Record<string, unknown> }> {
    const session = await this.egress.open();
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort();
    run.signal.addEventListener('abort', onOuterAbort, { once: true });
    let info: Record<string, unknown> | null = null;
    let file: string | null = null;
    let refused: AppError | null = null;
    let progress = new DownloadProgress(1);
    const chatter: string[] = [];
    try {
      const args = downloadArgs(url, {
        request: input,
        outputDir: work,
        proxy: session?.proxyUrl,
        maxDurationSeconds: this.config.limits.maxDurationSeconds,
        maxFileBytes: this.config.limits.maxFileBytes,
        subtitles: input.subtitles,
        thumbnail: input.include_thumbnail,
      });
      const res = await this.ytdlp.run(args, {
        timeoutMs: this.config.worker.jobTimeoutSeconds * 1000,
        signal: abort.signal,
        maxStdoutBytes: 1024 * 1024,
        onLine: (line) => {
          const parsed = parseYtdlpLine(line);
          switch (parsed.kind) {
            case 'info': {
              info = parsed.info;
              progress = new DownloadProgress(partsFromInfo(info));
              const duration = typeof info.duration === 'number' ? info.duration : null;
              if (info.is_live === true) {
                refused = new AppError('media_unavailable', 'Live streams cannot be downloaded');
                abort.abort();
              } else if (duration !== null && duration > this.config.limits.maxDurationSeconds) {
                refused = new AppError('media_too_long', `The media is longer than ${this.config.limits.maxDurationSeconds} s`);
                abort.abort();
              }
              run.platform(normalizeInfo(info).platform);
              break;
            }
            case 'progress':
              run.progress((progress.update(parsed.progress) * DOWNLOAD_SHARE) / 100, {
                speed_bps: typeof parsed.progress.speed === 'number' ? Math.round(parsed.progress.speed) : null,
                eta_seconds: typeof parsed.progress.eta === 'number' ? Math.round(parsed.progress.eta) : null,
              });
              break;
            case 'file':
              file = parsed.path;
              break;
            case 'other':
              if (chatter.length < 50) chatter.push(parsed.text);
              break;
          }
        },
      });
      if (run.signal.aborted) throw new CanceledError();
      if (refused) throw refused;
      if (session?.denied.length) throw new AppError('url_not_allowed', 'The URL led to a private or reserved network address');
      if (res.timedOut) throw new AppError('upstream_failed', 'The download took longer than the job time limit');
      // yt-dlp's exit code is not trusted either way: the file must exist and be non-empty.
      const found: string | null = file;
      const size = found ? await stat(found).then((s) => s.size, () => 0) : 0;
      if (!found || !info || size === 0) {
        // --dump-json keeps yt-dlp quiet, so its "larger than max-filesize" notice is not printed:
        // it resolved the media (info above), exited 0 and wrote nothing. Durations were checked
        // on that same info, so the size limit is what is left.
        if (info && res.exitCode === 0 && !/ERROR:/.test(res.stderr)) {
          throw new AppError('file_too_large', `The media is larger than ${Math.round(this.config.limits.maxFileBytes / 1048576)} MB`);
        }
        const classified = classifyYtdlpError(`${res.stderr}\n${chatter.join('\n')}`);
        this.logger.warn(`yt-dlp exited ${res.exitCode} without a file (${classified.code}): ${lastErrorLine(res.stderr)}`);
        throw new AppError(classified.code, classified.message);
      }
      return { file: found, info };
    } finally {
      run.signal.removeEventListener('abort', onOuterAbort);
      session?.close();
    }
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
    input: DownloadInput,
    format: DownloadFormat,
    work: string,
    run: JobRun,
  ): Promise<string> {
    const abr = input.quality ? AUDIO_QUALITY.exec(input.quality) : null;
    const request = { format, trim: input.trim, audioBitrateK: abr && AUDIO_FORMATS.has(format) ? Number(abr[1]) : undefined };
    if (request.trim && probe.duration !== null && request.trim.start >= probe.duration) {
      throw new AppError('validation_failed', `trim.start is past the end of the media (${probe.duration.toFixed(1)} s)`);
    }
    // ffprobe calls mkv and webm both `matroska,webm`: the extension tells which one yt-dlp wrote.
    if (path.extname(file) === `.${format}` && isDeliverableAsIs(probe, request)) return file;
    if (AUDIO_FORMATS.has(format) && !probe.audio) throw new AppError('media_unavailable', 'The media has no audio track');
    const output = path.join(work, `converted.${format}`);
    const total = request.trim ? request.trim.end - request.trim.start : (probe.duration ?? 0);
    const res = await this.ffmpeg.run(convertArgs(file, output, probe, request), {
      timeoutMs: this.config.worker.jobTimeoutSeconds * 1000,
      signal: run.signal,
      onSeconds: (s) => total > 0 && run.progress(DOWNLOAD_SHARE + Math.min(s / total, 1) * (95 - DOWNLOAD_SHARE)),
    });
    if (run.signal.aborted) throw new CanceledError();
    if (res.exitCode !== 0) throw new Error(`ffmpeg exited ${res.exitCode}: ${res.stderr.slice(-500)}`);
    return output;
  }

  private async store(job: JobEntity, file: string, filename: string, kind: string, contentType: string, keepSource = false): Promise<JobOutput> {
    const key = `${outputPrefix(job.accountId, job.id)}/${filename}`;
    const size = await this.storage.putFile(key, file, { keepSource, contentType });
    return { kind, key, filename, content_type: contentType, size };
  }

  /** Subtitles (`subs.<lang>.vtt`) and the thumbnail yt-dlp wrote beside the media. */
  private async storeExtras(job: JobEntity, work: string, base: string): Promise<JobOutput[]> {
    const outputs: JobOutput[] = [];
    for (const name of (await readdir(work)).sort()) {
      const sub = /^subs\.([A-Za-z0-9_-]+)\.vtt$/.exec(name);
      if (sub) outputs.push(await this.store(job, path.join(work, name), `${base}.${sub[1]}.vtt`, 'subtitle', 'text/vtt'));
      else if (/^thumb\.jpg$/.test(name)) {
        outputs.push(await this.store(job, path.join(work, name), `${base}.jpg`, 'thumbnail', 'image/jpeg'));
      }
    }
    return outputs;
  }
}

export class CanceledError extends Error {
  constructor() {
    super('job canceled');
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { CONFIG, type Config } from '../../config.js';
import { CanceledError, type JobContext } from '../../core/jobs/job-handler.js';
import { UploadsService } from '../../core/uploads/uploads.service.js';
import { AppError } from '../../errors.js';
import { EgressProxyRepository, type EgressSession } from '../../platform/tools/egress-proxy.repository.js';
import type { RunResult } from '../../platform/tools/process.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { classifyYtdlpError, lastErrorLine } from '../../platform/tools/ytdlp-errors.js';
import { YtdlpRepository } from '../../platform/tools/ytdlp.repository.js';
import { normalizeInfo } from '../info/index.js';
import { downloadArgs, DownloadRunReader, type FormatRequest } from './download-args.js';

/** Where the media comes from, and in which format when it is fetched. */
export interface MediaRequest extends FormatRequest {
  url?: string;
  upload_id?: string;
  subtitles?: string[];
  include_thumbnail?: boolean;
}

export interface AcquiredMedia {
  file: string;
  info: Record<string, unknown>;
  /** The file is the upload itself (to be copied, never moved). */
  fromUpload: boolean;
}

/** Share of the progress bar fetching takes when a caller does not scale it. */
export const FETCH_SHARE = 85;

type FetchContext = Pick<JobContext, 'signal' | 'workDir' | 'progress' | 'platform'>;

export interface AcquireOptions {
  /**
   * Called when yt-dlp names its final file (after post-processing and the move into place),
   * while it is still exiting, so that work on the file can overlap its exit. The run has not
   * been judged then: only a file `acquire` goes on to return is the media.
   */
  onFinalFile?: (file: string) => void;
}

/**
 * The source media of a job as a local file: an upload (read in place when stored locally), or
 * the URL fetched with yt-dlp through the egress proxy. Every media operation starts here.
 */
@Injectable()
export class MediaSourceService {
  private readonly logger = new Logger(MediaSourceService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly ytdlp: YtdlpRepository,
    private readonly storage: StorageRepository,
    private readonly egress: EgressProxyRepository,
    private readonly uploads: UploadsService,
  ) {}

  acquire(accountId: string, request: MediaRequest, ctx: FetchContext, opts: AcquireOptions = {}): Promise<AcquiredMedia> {
    return request.upload_id ? this.fromUpload(accountId, request.upload_id, ctx.workDir) : this.fetch(request.url!, request, ctx, opts);
  }

  private async fromUpload(accountId: string, uploadId: string, workDir: string): Promise<AcquiredMedia> {
    const upload = await this.uploads.live(accountId, uploadId);
    const file = upload ? await this.storage.materialize(upload.storageKey, workDir) : null;
    if (!upload || !file) throw new AppError('media_unavailable', 'The upload no longer exists');
    const title = upload.filename.replace(/\.[^.]+$/, '');
    return { file, info: { id: upload.id, title, extractor_key: 'upload', duration: upload.duration }, fromUpload: true };
  }

  private async fetch(url: string, request: MediaRequest, ctx: FetchContext, opts: AcquireOptions): Promise<AcquiredMedia> {
    const session = await this.egress.open();
    const abort = new AbortController();
    const stop = () => abort.abort();
    ctx.signal.addEventListener('abort', stop, { once: true });
    const reader = new DownloadRunReader(this.config.limits.maxDurationSeconds, {
      info: (info) => ctx.platform(normalizeInfo(info).platform),
      progress: (percent, rate) => ctx.progress((percent * FETCH_SHARE) / 100, rate),
      refuse: stop,
      file: (file) => opts.onFinalFile?.(file),
    });
    try {
      const args = downloadArgs(url, {
        request,
        outputDir: ctx.workDir,
        proxy: session?.proxyUrl,
        maxDurationSeconds: this.config.limits.maxDurationSeconds,
        maxFileBytes: this.config.limits.maxFileBytes,
        subtitles: request.subtitles,
        thumbnail: request.include_thumbnail,
      });
      const res = await this.ytdlp.run(args, {
        timeoutMs: this.config.worker.jobTimeoutSeconds * 1000,
        signal: abort.signal,
        maxStdoutBytes: 1024 * 1024,
        onLine: (line) => reader.line(line),
      });
      if (ctx.signal.aborted) throw new CanceledError();
      return await this.fetched(res, reader, session);
    } finally {
      ctx.signal.removeEventListener('abort', stop);
      session?.close();
    }
  }

  /** What a finished yt-dlp run produced; its exit code is not trusted either way: the file must exist and be non-empty. */
  private async fetched(res: RunResult, reader: DownloadRunReader, session: EgressSession | null): Promise<AcquiredMedia> {
    if (reader.refusal) throw new AppError(reader.refusal.code, reader.refusal.message);
    if (session?.denied.length) throw new AppError('url_not_allowed', 'The URL led to a private or reserved network address');
    if (res.timedOut) throw new AppError('upstream_failed', 'The download took longer than the job time limit');
    const { file, info } = reader;
    const size = file ? await stat(file).then((s) => s.size, () => 0) : 0;
    if (file && info && size > 0) return { file, info, fromUpload: false };
    // --dump-json keeps yt-dlp quiet, so its "larger than max-filesize" notice is not printed:
    // it resolved the media (info above), exited 0 and wrote nothing. Durations were checked
    // on that same info, so the size limit is what is left.
    if (info && res.exitCode === 0 && !/ERROR:/.test(res.stderr)) {
      throw new AppError('file_too_large', `The media is larger than ${Math.round(this.config.limits.maxFileBytes / 1048576)} MB`);
    }
    const classified = classifyYtdlpError(`${res.stderr}\n${reader.chatter.join('\n')}`);
    this.logger.warn(`yt-dlp exited ${res.exitCode} without a file (${classified.code}): ${lastErrorLine(res.stderr)}`);
    throw new AppError(classified.code, classified.message);
  }
}

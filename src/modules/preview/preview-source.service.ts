import { Inject, Injectable, Logger } from '@nestjs/common';
import { stat } from 'node:fs/promises';
import { CONFIG, type Config } from '../../config.js';
import type { JobContext } from '../../core/jobs/job-handler.js';
import { AppError } from '../../errors.js';
import { EgressProxyRepository, type EgressSession } from '../../platform/tools/egress-proxy.repository.js';
import { FfmpegRepository } from '../../platform/tools/ffmpeg.repository.js';
import { localInput, remoteInput, type ProbedMedia } from '../../platform/tools/ffprobe.js';
import { ytdlpCommonArgs } from '../../platform/tools/ytdlp-args.js';
import { classifyYtdlpError } from '../../platform/tools/ytdlp-errors.js';
import { YtdlpRepository } from '../../platform/tools/ytdlp.repository.js';
import { MediaSourceService } from '../download/index.js';

/** The media a preview reads: where ffmpeg finds it, and what ffprobe saw in it. */
export interface PreviewSource {
  /** ffmpeg's input options, confined; seeking happens before them (`-ss` is an input option). */
  input: string[];
  probe: ProbedMedia;
  /** Read over HTTP(S) in place (range requests), not fetched whole. */
  remote: boolean;
  /** Bytes of the source read over the network so far (all of it when it was fetched whole; none for an upload). */
  bytesRead: number;
  close(): void;
}

/**
 * A URL that names a media file, opened without ffprobe: one ffmpeg reads it and makes the
 * preview, and what it logged of the media is checked as ffprobe's reading would have been.
 */
export interface EarlySource {
  input: string[];
  /** Throws what `open` would have refused of media this long: a run led to a private address, a length over the limit. */
  refuse(duration: number | null): void;
  close(): void;
}

/** Throws when a run through `session` was led to a private or reserved address (and refused). */
function refuseDenied(session: EgressSession | null): void {
  if (session?.denied.length) throw new AppError('url_not_allowed', 'The URL led to a private or reserved network address');
}

/**
 * yt-dlp format selectors: a single file served over plain HTTP(S) that ffmpeg can seek in
 * with range requests (progressive first, then video only for pictures), else anything yt-dlp
 * can fetch (HLS, DASH, merges), which is then downloaded first.
 */
const DIRECT = "[protocol^=http][protocol!*=dash][protocol!*=m3u8]";
const SELECTORS = {
  video: `b${DIRECT}[vcodec!=none]/bv${DIRECT}/b/bv*`,
  audio: `ba${DIRECT}/b${DIRECT}/ba/b`,
};

/** Extensions of single media files ffmpeg reads in place (never playlists: .m3u8 and .mpd go through yt-dlp). */
const MEDIA_FILE = /\.(mp4|m4v|mov|webm|mkv|ogv|ogg|oga|opus|mp3|m4a|aac|flac|wav)$/i;

/** Whether a URL's path names a media file (`https://cdn.example/v/clip.mp4?sig=…`). */
export function namesMediaFile(url: string): boolean {
  try {
    const { protocol, pathname } = new URL(url);
    return (protocol === 'http:' || protocol === 'https:') && MEDIA_FILE.test(pathname);
  } catch {
    return false;
  }
}

/**
 * Opens a preview's source without fetching it whole when it can: an upload is read where it
 * is stored; a URL is resolved with yt-dlp (through the egress proxy) to a format URL that
 * ffmpeg reads in place, or — a stream of segments, or a merge — downloaded first.
 */
@Injectable()
export class PreviewSourceService {
  private readonly logger = new Logger(PreviewSourceService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly ytdlp: YtdlpRepository,
    private readonly ffmpeg: FfmpegRepository,
    private readonly egress: EgressProxyRepository,
    private readonly media: MediaSourceService,
  ) {}

  async open(accountId: string, source: { url?: string; upload_id?: string }, needs: 'video' | 'audio', ctx: JobContext): Promise<PreviewSource> {
    if (source.url) {
      const remote = await this.inPlace(source.url, needs, ctx);
      if (remote) return remote;
    }
    const acquired = await this.media.acquire(accountId, { url: source.url, upload_id: source.upload_id, audio_only: needs === 'audio' }, { ...ctx, progress: (p) => ctx.progress(p * 0.5) });
    const probe = await this.ffmpeg.probe(acquired.file, { signal: ctx.signal });
    if (!probe) throw new AppError('media_unavailable', 'The media could not be read');
    const fetched = acquired.fromUpload ? 0 : (await stat(acquired.file)).size;
    return { input: localInput(acquired.file), probe, remote: false, bytesRead: fetched, close: () => undefined };
  }

  /**
   * A URL that names a media file (`.mp4`, `.webm`…), for a preview whose command needs nothing
   * ffprobe says: ffmpeg starts on it at once, with no ffprobe before it (each start is ~0.2 s of
   * dynamic linking here). Null when the URL names no media file.
   */
  async openEarly(url: string): Promise<EarlySource | null> {
    if (!namesMediaFile(url)) return null;
    const session = await this.egress.open();
    return {
      input: remoteInput(url, session?.proxyUrl),
      refuse: (duration) => {
        refuseDenied(session);
        this.refuseLength(duration);
      },
      close: () => session?.close(),
    };
  }

  /**
   * The format URL ffmpeg may seek in, probed; null when the media must be fetched whole. A URL
   * that names a media file (`.mp4`, `.webm`…) is first probed as it is: when it is that media,
   * it is what yt-dlp's generic extractor would have resolved it to, without starting yt-dlp.
   */
  private async inPlace(url: string, needs: 'video' | 'audio', ctx: JobContext): Promise<PreviewSource | null> {
    const session = await this.egress.open();
    let kept = false;
    const read = { bytes: 0 };
    try {
      let format: string | null = url;
      let probe = namesMediaFile(url) ? await this.probeInPlace(url, needs, session, ctx, read) : null;
      if (!probe) {
        format = await this.resolve(url, needs, session, ctx.signal);
        if (!format) return null;
        probe = await this.probeInPlace(format, null, session, ctx, read);
        if (!probe) return null;
      }
      kept = true;
      return { input: remoteInput(format, session?.proxyUrl), probe, remote: true, bytesRead: read.bytes, close: () => session?.close() };
    } finally {
      if (!kept) session?.close();
    }
  }

  /**
   * ffprobe of a URL in place through `session`, adding what it read to `read`; null when it is
   * not media (with a stream of `needs`, when given). Media over the length limit is refused.
   */
  private async probeInPlace(url: string, needs: 'video' | 'audio' | null, session: EgressSession | null, ctx: JobContext, read: { bytes: number }): Promise<ProbedMedia | null> {
    const probe = await this.ffmpeg.probe(url, { proxy: session?.proxyUrl, signal: ctx.signal, onBytesRead: (n) => (read.bytes += n) });
    refuseDenied(session);
    if (!probe || (needs && !probe[needs])) return null;
    this.refuseLength(probe.duration);
    return probe;
  }

  /** Media that names its own length over the limit, refused as yt-dlp's match filter refuses it on the other path. */
  private refuseLength(duration: number | null): void {
    const limit = this.config.limits.maxDurationSeconds;
    if (duration && limit !== null && duration > limit) {
      throw new AppError('media_too_long', `The media is ${Math.round(duration)} s long; this installation previews media up to ${limit} s`);
    }
  }

  /** yt-dlp -j with the selector: the chosen format's URL when it is one plain HTTP(S) file. */
  private async resolve(url: string, needs: 'video' | 'audio', session: EgressSession | null, signal: AbortSignal): Promise<string | null> {
    const args = [
      ...ytdlpCommonArgs({ proxy: session?.proxyUrl, maxDurationSeconds: this.config.limits.maxDurationSeconds }),
      '-j', '--playlist-items', '1', '-f', SELECTORS[needs], '--', url,
    ];
    const res = await this.ytdlp.run(args, { timeoutMs: 60_000, signal, maxStdoutBytes: 16 * 1024 * 1024 });
    refuseDenied(session);
    const line = res.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) {
      const classified = classifyYtdlpError(res.stderr);
      throw new AppError(classified.code, classified.message);
    }
    const info = JSON.parse(line) as { url?: unknown; protocol?: unknown; requested_formats?: unknown; is_live?: unknown; duration?: unknown };
    if (info.is_live === true) throw new AppError('validation_failed', 'Live streams cannot be previewed');
    const protocol = typeof info.protocol === 'string' ? info.protocol : '';
    const direct = !info.requested_formats && typeof info.url === 'string' && /^https?$/.test(protocol) && /^https?:\/\//i.test(info.url);
    if (!direct) this.logger.debug(`preview of ${protocol || 'a merged format'}: fetching it whole`);
    return direct ? (info.url as string) : null;
  }
}

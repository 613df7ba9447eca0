import { AUDIO_FORMATS, type DownloadFormat } from './download-formats.js';
import { YtdlpCommon } from '../../platform/tools/ytdlp-args.js';
import { ytdlpCommonArgs } from '../../platform/tools/ytdlp-args.js';


export interface FormatRequest {
  format?: DownloadFormat;
  quality?: string;
  format_id?: string;
  audio_only?: boolean;
}

export const VIDEO_QUALITY = /^(\d{3,4})p$/;
export const AUDIO_QUALITY = /^(\d{2,3})k$/;
/** yt-dlp format ids and `a+b` merges; nothing that could read as an option or a filter. */
export const FORMAT_ID = /^[A-Za-z0-9_.-]+(\+[A-Za-z0-9_.-]+)?$/;

export function wantsAudioOnly(req: FormatRequest): boolean {
  return Boolean(req.audio_only) || (req.format !== undefined && AUDIO_FORMATS.has(req.format));
}

/**
 * The `-f` selector for a request. Heights use `<=?` so formats of unknown height (direct files,
 * HLS without RESOLUTION) stay eligible; every chain ends in a fallback that always matches.
 */
export function formatSelector(req: FormatRequest): string {
  if (req.format_id) return req.format_id;
  const quality = req.quality ?? 'best';
  if (wantsAudioOnly(req)) {
    if (quality === 'worst') return 'wa/w';
    const abr = AUDIO_QUALITY.exec(quality);
    if (abr) return `ba[abr<=?${abr[1]}]/ba/b`;
    return 'ba/b';
  }
  if (quality === 'worst') return 'wv*+wa/w';
  const height = VIDEO_QUALITY.exec(quality);
  if (height) {
    const h = height[1];
    return `bv*[height<=?${h}]+ba/b[height<=?${h}]/wv*+ba/w`;
  }
  return 'bv*+ba/b';
}

/** Sort preferences so that, among equal qualities, streams that fit the target need no re-encode. */
export function formatSort(req: FormatRequest): string | null {
  switch (req.format ?? (wantsAudioOnly(req) ? 'm4a' : 'mp4')) {
    case 'mp4':
    case 'mov':
    case 'm4a':
      return 'vcodec:h264,acodec:m4a';
    case 'webm':
      return 'vcodec:vp9,acodec:opus';
    default:
      return null;
  }
}

/** Downloaded media is named `media.<ext>` (or `media.f<id>.<ext>` before a merge). */
export const MEDIA_STEM = 'media';

export function isMediaFile(file: string): boolean {
  return (file.split(/[\\/]/).pop() ?? '').startsWith(`${MEDIA_STEM}.`);
}

export interface DownloadArgsOptions extends YtdlpCommon {
  request: FormatRequest;
  outputDir: string;
  maxFileBytes: number;
  subtitles?: string[];
  thumbnail?: boolean;
}

/**
 * One yt-dlp run that prints the info JSON (first line, `{…}`), progress lines (`P {…}`) and the
 * final path (`F <path>`), and downloads into `outputDir`. Streams are merged into mkv, which
 * takes any codec; the conversion step then produces the requested container.
 */
export function downloadArgs(url: string, opts: DownloadArgsOptions): string[] {
  const args = [
    ...ytdlpCommonArgs(opts),
    '--dump-json',
    '--no-simulate',
    '--progress',
    '--newline',
    '--progress-template',
    'download:P %(progress)j',
    '--print',
    'after_move:F %(filepath)s',
    '--playlist-items',
    '1',
    '--no-part',
    '--no-mtime',
    '--restrict-filenames',
    '--max-filesize',
    String(opts.maxFileBytes),
    '-f',
    formatSelector(opts.request),
    '--merge-output-format',
    'mkv',
    '-P',
    opts.outputDir,
    '-o',
    `${MEDIA_STEM}.%(ext)s`,
  ];
  const sort = formatSort(opts.request);
  if (sort) args.push('-S', sort);
  if (opts.subtitles?.length) {
    args.push('--write-subs', '--write-auto-subs', '--sub-langs', opts.subtitles.join(','), '--convert-subs', 'vtt');
    args.push('-o', 'subtitle:subs.%(ext)s');
  }
  if (opts.thumbnail) args.push('--write-thumbnail', '--convert-thumbnails', 'jpg', '-o', 'thumbnail:thumb.%(ext)s');
  args.push('--', url);
  return args;
}

export interface YtdlpProgress {
  status: string;
  downloaded_bytes?: number;
  total_bytes?: number | null;
  total_bytes_estimate?: number | null;
  speed?: number | null;
  eta?: number | null;
  filename?: string;
  fragment_index?: number;
  fragment_count?: number;
}

export type YtdlpLine =
  | { kind: 'info'; info: Record<string, unknown> }
  | { kind: 'progress'; progress: YtdlpProgress }
  | { kind: 'file'; path: string }
  | { kind: 'other'; text: string };

export function parseYtdlpLine(line: string): YtdlpLine {
  try {
    if (line.startsWith('{')) return { kind: 'info', info: JSON.parse(line) as Record<string, unknown> };
    if (line.startsWith('P {')) return { kind: 'progress', progress: JSON.parse(line.slice(2)) as YtdlpProgress };
  } catch {
    return { kind: 'other', text: line };
  }
  if (line.startsWith('F ')) return { kind: 'file', path: line.slice(2) };
  return { kind: 'other', text: line };
}

/**
 * Turns yt-dlp's per-file progress into one 0–100 figure. A merged download fetches `parts`
 * files in turn, each running 0→100 %; part i covers the i-th equal share of the range.
 */
export class DownloadProgress {
  private part = 0;
  private lastFile: string | undefined;
  private best = 0;

  constructor(private readonly parts: number) {}

  update(p: YtdlpProgress): number {
    // Subtitles and thumbnails download too (often first); only media files move the figure.
    if (p.filename && !isMediaFile(p.filename)) return this.best;
    if (p.filename && this.lastFile && p.filename !== this.lastFile) {
      this.part = Math.min(this.part + 1, Math.max(this.parts - 1, 0));
    }
    if (p.filename) this.lastFile = p.filename;
    const total = p.total_bytes ?? p.total_bytes_estimate ?? null;
    let fraction = 0;
    if (p.status === 'finished') fraction = 1;
    else if (total && p.downloaded_bytes !== undefined) fraction = Math.min(p.downloaded_bytes / total, 1);
    else if (p.fragment_index && p.fragment_count) fraction = Math.min(p.fragment_index / p.fragment_count, 1);
    const share = 1 / Math.max(this.parts, 1);
    const overall = (this.part + fraction) * share * 100;
    this.best = Math.max(this.best, Math.min(overall, 100));
    return this.best;
  }
}

/** How many files a format selector downloads for this info (merged `a+b` → 2). */
export function partsFromInfo(info: Record<string, unknown>): number {
  const requested = info.requested_formats;
  return Array.isArray(requested) && requested.length > 0 ? requested.length : 1;
}

/** What yt-dlp's stdout told, line by line, during one download run. */
export class DownloadRunReader {
  info: Record<string, unknown> | null = null;
  file: string | null = null;
  /** Why the run was stopped early (a live stream, media too long), when it was. */
  refusal: { code: 'media_unavailable' | 'media_too_long'; message: string } | null = null;
  /** Lines that were neither info, progress nor the file: clues when no file comes out. */
  readonly chatter: string[] = [];
  private progress = new DownloadProgress(1);

  constructor(
    private readonly maxDurationSeconds: number,
    private readonly on: {
      /** The info line arrived (the platform is known); `refuse` when the media must not be downloaded. */
      info(info: Record<string, unknown>): void;
      progress(percent: number, rate: { speed_bps: number | null; eta_seconds: number | null }): void;
      refuse(): void;
      /** yt-dlp named its final file: post-processed and moved, while yt-dlp is still exiting. */
      file?(path: string): void;
    },
  ) {}

  line(line: string): void {
    const parsed = parseYtdlpLine(line);
    switch (parsed.kind) {
      case 'info':
        this.info = parsed.info;
        this.progress = new DownloadProgress(partsFromInfo(parsed.info));
        this.refusal = refusalOf(parsed.info, this.maxDurationSeconds);
        if (this.refusal) this.on.refuse();
        this.on.info(parsed.info);
        break;
      case 'progress':
        this.on.progress(this.progress.update(parsed.progress), {
          speed_bps: typeof parsed.progress.speed === 'number' ? Math.round(parsed.progress.speed) : null,
          eta_seconds: typeof parsed.progress.eta === 'number' ? Math.round(parsed.progress.eta) : null,
        });
        break;
      case 'file':
        this.file = parsed.path;
        this.on.file?.(parsed.path);
        break;
      case 'other':
        if (this.chatter.length < 50) this.chatter.push(parsed.text);
        break;
    }
  }
}

/** Media that must not be downloaded, decided from its info line before any byte of it. */
export function refusalOf(info: Record<string, unknown>, maxDurationSeconds: number): DownloadRunReader['refusal'] {
  if (info.is_live === true) return { code: 'media_unavailable', message: 'Live streams cannot be downloaded' };
  const duration = typeof info.duration === 'number' ? info.duration : null;
  if (duration !== null && duration > maxDurationSeconds) return { code: 'media_too_long', message: `The media is longer than ${maxDurationSeconds} s` };
  return null;
}

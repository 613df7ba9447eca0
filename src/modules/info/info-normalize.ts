import { type ProbedMedia } from '../../platform/tools/ffprobe.js';


/** The /v1/info document for one video. */
export interface MediaInfo {
  id: string;
  title: string | null;
  description: string | null;
  uploader: string | null;
  uploader_id: string | null;
  duration: number | null;
  upload_date: string | null;
  view_count: number | null;
  like_count: number | null;
  comment_count: number | null;
  thumbnail: string | null;
  thumbnails: Array<{ url: string; width: number | null; height: number | null }>;
  platform: string;
  webpage_url: string | null;
  is_live: boolean;
  formats: MediaFormat[];
  subtitles: Array<{ language: string; name: string | null; kind: 'manual' | 'auto'; formats: string[] }>;
  chapters: Array<{ start: number; end: number; title: string | null }>;
}

export interface MediaFormat {
  format_id: string;
  ext: string | null;
  container: string | null;
  protocol: string | null;
  vcodec: string | null;
  acodec: string | null;
  width: number | null;
  height: number | null;
  fps: number | null;
  bitrate_kbps: number | null;
  filesize: number | null;
  filesize_estimate: number | null;
  has_video: boolean;
  has_audio: boolean;
  note: string | null;
  /** Internal: the URL a probe may read. Removed before the document leaves the service. */
  url?: string;
}

type Raw = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const intOrNull = (v: unknown): number | null => {
  const n = numOrNull(v);
  return n === null ? null : Math.round(n);
};

function codec(v: unknown): string | null {
  const s = str(v);
  return s === null || s === 'none' ? null : s;
}

/** The site a document came from, as jobs and usage name it: the extractor's key in snake case. */
export function platformOf(raw: Raw): string {
  const key = str(raw.extractor_key) ?? str(raw.ie_key) ?? str(raw.extractor) ?? 'generic';
  return key.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

function uploadDate(v: unknown): string | null {
  const s = str(v);
  return s && /^\d{8}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : null;
}

export function normalizeFormat(f: Raw, duration: number | null): MediaFormat {
  const vcodec = codec(f.vcodec);
  const acodec = codec(f.acodec);
  const width = intOrNull(f.width);
  const height = intOrNull(f.height);
  const tbr = numOrNull(f.tbr);
  const filesize = intOrNull(f.filesize);
  const approx = intOrNull(f.filesize_approx);
  // yt-dlp says 'none' for a missing stream and leaves the field null when it does not know.
  const hasVideo = f.vcodec === 'none' ? false : vcodec !== null || height !== null || f.video_ext !== 'none';
  const hasAudio = f.acodec === 'none' ? false : acodec !== null || f.audio_ext !== 'none';
  return {
    format_id: String(f.format_id ?? ''),
    ext: str(f.ext),
    container: str(f.container) ?? str(f.ext),
    protocol: str(f.protocol),
    vcodec,
    acodec,
    width,
    height,
    fps: numOrNull(f.fps),
    bitrate_kbps: tbr === null ? null : Math.round(tbr),
    filesize,
    filesize_estimate: filesize ?? approx ?? (tbr && duration ? Math.round((tbr * 1000 * duration) / 8) : null),
    has_video: hasVideo,
    has_audio: hasAudio,
    note: str(f.format_note) ?? str(f.format),
    url: str(f.url) ?? undefined,
  };
}

function subtitleTracks(raw: Raw): MediaInfo['subtitles'] {
  const out: MediaInfo['subtitles'] = [];
  const add = (tracks: unknown, kind: 'manual' | 'auto') => {
    if (!tracks || typeof tracks !== 'object') return;
    for (const [language, list] of Object.entries(tracks as Record<string, unknown>)) {
      const items = Array.isArray(list) ? (list as Raw[]) : [];
      out.push({
        language,
        name: str(items[0]?.name),
        kind,
        formats: [...new Set(items.map((i) => str(i.ext)).filter((e): e is string => e !== null))],
      });
    }
  };
  add(raw.subtitles, 'manual');
  add(raw.automatic_captions, 'auto');
  return out;
}

export function normalizeInfo(raw: Raw): MediaInfo {
  const duration = numOrNull(raw.duration);
  const rawFormats = Array.isArray(raw.formats) ? (raw.formats as Raw[]) : raw.url ? [raw] : [];
  const thumbs = Array.isArray(raw.thumbnails) ? (raw.thumbnails as Raw[]) : [];
  const chapters = Array.isArray(raw.chapters) ? (raw.chapters as Raw[]) : [];
  return {
    id: String(raw.id ?? ''),
    title: str(raw.title),
    description: str(raw.description),
    uploader: str(raw.uploader) ?? str(raw.channel),
    uploader_id: str(raw.uploader_id) ?? str(raw.channel_id),
    duration,
    upload_date: uploadDate(raw.upload_date),
    view_count: intOrNull(raw.view_count),
    like_count: intOrNull(raw.like_count),
    comment_count: intOrNull(raw.comment_count),
    thumbnail: str(raw.thumbnail),
    thumbnails: thumbs
      .filter((t) => str(t.url))
      .map((t) => ({ url: String(t.url), width: intOrNull(t.width), height: intOrNull(t.height) })),
    platform: platformOf(raw),
    webpage_url: str(raw.webpage_url) ?? str(raw.original_url),
    is_live: raw.is_live === true,
    formats: rawFormats.map((f) => normalizeFormat(f, duration)),
    subtitles: subtitleTracks(raw),
    chapters: chapters.map((c) => ({
      start: numOrNull(c.start_time) ?? 0,
      end: numOrNull(c.end_time) ?? 0,
      title: str(c.title),
    })),
  };
}

/** Fills what yt-dlp leaves null for direct files, HLS and DASH from an ffprobe of the format. */
export function applyProbe(info: MediaInfo, format: MediaFormat, probe: ProbedMedia): void {
  info.duration ??= probe.duration !== null ? Math.round(probe.duration * 1000) / 1000 : null;
  if (probe.video) {
    format.vcodec ??= probe.video.codec;
    format.width ??= probe.video.width;
    format.height ??= probe.video.height;
    format.fps ??= probe.video.fps;
    format.has_video = true;
  } else if (format.vcodec === null && format.height === null) format.has_video = false;
  if (probe.audio) {
    format.acodec ??= probe.audio.codec;
    format.has_audio = true;
  } else if (format.acodec === null) format.has_audio = false;
  format.bitrate_kbps ??= probe.bitRate !== null ? Math.round(probe.bitRate / 1000) : null;
  if (format.protocol === 'http' || format.protocol === 'https') format.filesize ??= probe.size;
  if (info.duration && format.bitrate_kbps) {
    format.filesize_estimate ??= Math.round((format.bitrate_kbps * 1000 * info.duration) / 8);
  }
  format.filesize_estimate ??= format.filesize;
}

/** Formats worth probing: those with unknown codecs or dimensions, best (last) first. */
export function formatsToProbe(info: MediaInfo, max: number): MediaFormat[] {
  const unknown = info.formats.filter(
    (f) => isHttpUrl(f.url) && ((f.has_video && (f.height === null || f.vcodec === null)) || f.acodec === null || info.duration === null),
  );
  return unknown.reverse().slice(0, max);
}

/** A site names format URLs as it likes: only http(s) ones are ever handed to ffprobe. */
function isHttpUrl(url: string | undefined): boolean {
  return !!url && /^https?:\/\//i.test(url);
}

/**
 * The length of an HLS media playlist: the sum of its segments' #EXTINF. Null for a master
 * playlist (whose variants are not followed) or a live one (no #EXT-X-ENDLIST).
 */
export function hlsDuration(playlist: string): number | null {
  if (!playlist.startsWith('#EXTM3U') || /#EXT-X-STREAM-INF/.test(playlist) || !/#EXT-X-ENDLIST/.test(playlist)) return null;
  let total = 0;
  for (const m of playlist.matchAll(/^#EXTINF:\s*([\d.]+)/gm)) total += Number(m[1]);
  return total > 0 && Number.isFinite(total) ? Math.round(total * 1000) / 1000 : null;
}

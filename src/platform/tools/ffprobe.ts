export interface ProbedMedia {
  formatName: string;
  duration: number | null;
  size: number | null;
  bitRate: number | null;
  video: { codec: string; width: number; height: number; fps: number | null } | null;
  audio: { codec: string; channels: number; sampleRate: number; bitRate: number | null } | null;
}

/**
 * What a remote input may speak: HTTP(S) and the layers it is built from, through the egress
 * proxy. Everything else ffmpeg knows (file, udp, rtsp, rtmp, gopher, concat, subfile, data…) is refused.
 */
export const REMOTE_PROTOCOLS = 'http,https,tls,tcp,crypto,httpproxy';

/**
 * What a local file may be read as: single-file media containers. Never a playlist or a list
 * (hls, dash, concat, image2…) that would make ffmpeg open the files or URLs it names.
 */
export const LOCAL_FORMATS = 'mov,matroska,webm,mp3,aac,ac3,eac3,wav,w64,aiff,caf,ogg,flac,wv,ape,amr,mpegts,mpeg,flv,avi,asf';

/** `-i` for a local file (an upload, a work file), confined to reading that one file as media. */
export function localInput(path: string): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', LOCAL_FORMATS, '-i', path];
}

/**
 * `-i` for raw RGB frames this service wrote itself (tiles of a sheet): the demuxer is named, so
 * nothing in the file is interpreted; only that one local file is read.
 */
export function rawVideoInput(path: string, width: number, height: number): string[] {
  return ['-protocol_whitelist', 'file', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-video_size', `${width}x${height}`, '-framerate', '1', '-i', path];
}

/** `-i` for raw 16-bit mono PCM this service wrote itself. */
export function rawAudioInput(path: string, sampleRate: number): string[] {
  return ['-protocol_whitelist', 'file', '-f', 's16le', '-ar', String(sampleRate), '-ac', '1', '-i', path];
}

/**
 * `-i` for a remote URL, confined to HTTP(S) through the egress proxy when there is one, and read
 * as a media container only: never as a playlist, whose nested playlists ffmpeg would open with
 * the protocols HTTPS itself needs (a `tcp:` one would connect past the proxy).
 */
export function remoteInput(url: string, proxy?: string): string[] {
  return ['-protocol_whitelist', REMOTE_PROTOCOLS, '-format_whitelist', LOCAL_FORMATS, ...(proxy ? ['-http_proxy', proxy] : []), '-i', url];
}

/** Whether every `-i` of a command line comes with a protocol whitelist of its own. */
export function isConfined(args: readonly string[]): boolean {
  let whitelisted = false;
  for (const arg of args) {
    if (arg === '-protocol_whitelist') whitelisted = true;
    else if (arg === '-i') {
      if (!whitelisted) return false;
      whitelisted = false;
    }
  }
  return true;
}

/** ffprobe of a local file, or of an http(s) URL (through `proxy`). */
export function probeArgs(input: string, proxy?: string, loglevel: 'error' | 'verbose' = 'error'): string[] {
  const source = /^https?:\/\//i.test(input) ? remoteInput(input, proxy) : localInput(input);
  return ['-hide_banner', '-loglevel', loglevel, '-print_format', 'json', '-show_format', '-show_streams', ...source];
}

/**
 * Bytes ffmpeg or ffprobe read from its inputs, from the statistics it logs at `verbose` when
 * it closes each one (`Statistics: N bytes read, M seeks`): what crossed the wire for a URL.
 */
export function bytesRead(stderr: string): number {
  let total = 0;
  for (const m of stderr.matchAll(/Statistics: (\d+) bytes read/g)) total += Number(m[1]);
  return total;
}

/** What ffmpeg logs of its first input (at `info` and above): what ffprobe would say of it, in part. */
export interface LoggedInput {
  duration: number | null;
  video: { codec: string; width: number; height: number } | null;
  audio: { codec: string } | null;
}

/**
 * Reads `Input #0` as ffmpeg logs it before it runs (`Duration: 00:10:00.00, …` and a line per
 * stream: `Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(…), 1280x720
 * [SAR 1:1 …]`). A cover picture (`(attached pic)`) is not video, as for ffprobe. Null when
 * ffmpeg could not open its input as media.
 */
export function loggedInput(stderr: string): LoggedInput | null {
  const start = stderr.indexOf('Input #0,');
  if (start < 0) return null;
  const rest = stderr.slice(start);
  const end = rest.search(/\n(?:Input #1,|Output #0|Stream mapping:)/);
  const section = end < 0 ? rest : rest.slice(0, end);
  const d = /\n\s*Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(section);
  const streams = [...section.matchAll(/\n\s*Stream #0:\d+\S*: (Video|Audio): (\w+)([^\n]*)/g)];
  const video = streams.find((m) => m[1] === 'Video' && !m[3]!.includes('(attached pic)'));
  const size = video ? /, (\d{1,5})x(\d{1,5})[ ,[]/.exec(`${video[3]} `) : null;
  const audio = streams.find((m) => m[1] === 'Audio');
  return {
    duration: d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : null,
    video: video && size ? { codec: video[2]!, width: Number(size[1]), height: Number(size[2]) } : null,
    audio: audio ? { codec: audio[2]! } : null,
  };
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; size?: string; bit_rate?: string };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    channels?: number;
    sample_rate?: string;
    bit_rate?: string;
    disposition?: { attached_pic?: number };
  }>;
}

function num(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function fps(rate: string | undefined): number | null {
  if (!rate) return null;
  const [a, b] = rate.split('/').map(Number);
  return a && b ? Math.round((a / b) * 100) / 100 : null;
}

export function parseProbe(json: string): ProbedMedia | null {
  let data: FfprobeJson;
  try {
    data = JSON.parse(json) as FfprobeJson;
  } catch {
    return null;
  }
  if (!data.format?.format_name) return null;
  const streams = data.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  return {
    formatName: data.format.format_name,
    duration: num(data.format.duration),
    size: num(data.format.size),
    bitRate: num(data.format.bit_rate),
    video: v?.codec_name ? { codec: v.codec_name, width: v.width ?? 0, height: v.height ?? 0, fps: fps(v.avg_frame_rate) } : null,
    audio: a?.codec_name
      ? { codec: a.codec_name, channels: a.channels ?? 0, sampleRate: num(a.sample_rate) ?? 0, bitRate: num(a.bit_rate) }
      : null,
  };
}

/** ffmpeg `-progress` output: `out_time_us=…` lines → seconds done. */
export function parseFfmpegProgress(line: string): number | null {
  const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line.trim());
  return m ? Number(m[1]) / 1e6 : null;
}

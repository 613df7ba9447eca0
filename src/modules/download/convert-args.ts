import { AUDIO_FORMATS, type DownloadFormat } from '../../core/jobs/job-types.js';

export interface ProbedMedia {
  formatName: string;
  duration: number | null;
  size: number | null;
  bitRate: number | null;
  video: { codec: string; width: number; height: number; fps: number | null } | null;
  audio: { codec: string; channels: number; sampleRate: number; bitRate: number | null } | null;
}

export interface ConvertRequest {
  format: DownloadFormat;
  trim?: { start: number; end: number };
  /** Target audio bitrate in kbit/s for lossy audio outputs. */
  audioBitrateK?: number;
}

export const CONTENT_TYPES: Record<DownloadFormat, string> = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
  mov: 'video/quicktime',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
};

/** Codecs each container carries without re-encoding (what players reliably accept). */
const COPYABLE: Record<DownloadFormat, { video: string[]; audio: string[] }> = {
  mp4: { video: ['h264', 'hevc', 'av1', 'vp9'], audio: ['aac', 'mp3', 'opus', 'ac3', 'eac3', 'flac'] },
  mov: { video: ['h264', 'hevc', 'prores', 'mjpeg'], audio: ['aac', 'mp3', 'pcm_s16le', 'alac'] },
  webm: { video: ['vp8', 'vp9', 'av1'], audio: ['opus', 'vorbis'] },
  mkv: { video: ['*'], audio: ['*'] },
  m4a: { video: [], audio: ['aac', 'alac'] },
  mp3: { video: [], audio: ['mp3'] },
  opus: { video: [], audio: ['opus'] },
  ogg: { video: [], audio: ['vorbis', 'opus'] },
  flac: { video: [], audio: ['flac'] },
  wav: { video: [], audio: ['pcm_s16le'] },
};

const AUDIO_ENCODER: Record<DownloadFormat, string[]> = {
  mp4: ['-c:a', 'aac'],
  mov: ['-c:a', 'aac'],
  webm: ['-c:a', 'libopus'],
  mkv: ['-c:a', 'aac'],
  m4a: ['-c:a', 'aac'],
  mp3: ['-c:a', 'libmp3lame'],
  opus: ['-c:a', 'libopus'],
  ogg: ['-c:a', 'libvorbis'],
  flac: ['-c:a', 'flac'],
  wav: ['-c:a', 'pcm_s16le'],
};

const VIDEO_ENCODER: Record<DownloadFormat, string[]> = {
  mp4: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'],
  mov: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p'],
  mkv: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23'],
  webm: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-crf', '33', '-b:v', '0'],
  m4a: [],
  mp3: [],
  opus: [],
  ogg: [],
  flac: [],
  wav: [],
};

const MUXER: Record<DownloadFormat, string> = {
  mp4: 'mp4',
  mov: 'mov',
  webm: 'webm',
  mkv: 'matroska',
  m4a: 'ipod',
  mp3: 'mp3',
  opus: 'opus',
  ogg: 'ogg',
  flac: 'flac',
  wav: 'wav',
};

const LOSSY_AUDIO: ReadonlySet<DownloadFormat> = new Set(['mp3', 'm4a', 'ogg', 'opus', 'mp4', 'mov', 'webm', 'mkv']);

function canCopy(list: string[], codec: string | undefined): boolean {
  return codec !== undefined && (list.includes('*') || list.includes(codec));
}

/** The container a probed file already is, when it matches the requested format. */
function sameContainer(format: DownloadFormat, formatName: string): boolean {
  const names = formatName.split(',');
  switch (format) {
    case 'mp4':
    case 'mov':
    case 'm4a':
      return names.includes('mp4') || names.includes('mov');
    case 'mkv':
      return names.includes('matroska');
    case 'webm':
      return names.includes('webm');
    default:
      return names.includes(format);
  }
}

/**
 * Whether a downloaded file can be delivered as it is: same container family, copyable codecs,
 * nothing to cut or re-encode. Then no ffmpeg run is needed at all.
 */
export function isDeliverableAsIs(media: ProbedMedia, req: ConvertRequest): boolean {
  if (req.trim || req.audioBitrateK) return false;
  if (!sameContainer(req.format, media.formatName)) return false;
  const allowed = COPYABLE[req.format];
  const isAudio = AUDIO_FORMATS.has(req.format);
  if (isAudio && media.video) return false;
  if (media.video && !canCopy(allowed.video, media.video.codec)) return false;
  if (media.audio && !canCopy(allowed.audio, media.audio.codec)) return false;
  return true;
}

/**
 * ffmpeg arguments converting `input` into `output` in the requested format: streams are copied
 * when the target container takes their codec and nothing is cut, and re-encoded otherwise.
 * A trim re-encodes so that it starts on the requested frame, not the previous keyframe.
 */
export function convertArgs(input: string, output: string, media: ProbedMedia, req: ConvertRequest): string[] {
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats'];
  if (req.trim) args.push('-ss', seconds(req.trim.start), '-to', seconds(req.trim.end));
  args.push('-i', input);
  const isAudio = AUDIO_FORMATS.has(req.format);
  const allowed = COPYABLE[req.format];
  const maps: string[] = [];
  if (!isAudio && media.video) {
    maps.push('-map', '0:v:0');
    if (!req.trim && canCopy(allowed.video, media.video.codec)) maps.push('-c:v', 'copy');
    else maps.push(...VIDEO_ENCODER[req.format]);
  }
  if (media.audio) {
    maps.push('-map', '0:a:0');
    const copyAudio = !req.trim && !req.audioBitrateK && canCopy(allowed.audio, media.audio.codec);
    if (copyAudio) maps.push('-c:a', 'copy');
    else {
      maps.push(...AUDIO_ENCODER[req.format]);
      if (LOSSY_AUDIO.has(req.format)) maps.push('-b:a', `${req.audioBitrateK ?? defaultAudioBitrate(req.format)}k`);
    }
  }
  if (isAudio) maps.push('-vn');
  args.push(...maps, '-map_metadata', '0', '-sn', '-dn');
  if (['mp4', 'mov', 'm4a'].includes(req.format)) args.push('-movflags', '+faststart');
  args.push('-f', MUXER[req.format], output);
  return args;
}

function defaultAudioBitrate(format: DownloadFormat): number {
  return format === 'opus' || format === 'webm' ? 128 : 192;
}

function seconds(value: number): string {
  return value.toFixed(3);
}

export function probeArgs(input: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', input];
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

/** Audio for speech recognition: mono 16 kHz 16-bit WAV (what pocketsphinx reads). */
export function speechWavArgs(input: string, output: string): string[] {
  return ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-i', input, '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', '-f', 'wav', output];
}

import { AUDIO_FORMATS, type DownloadFormat } from './download-formats.js';
import { localInput, type ProbedMedia } from '../../platform/tools/ffprobe.js';


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
  args.push(...localInput(input));
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

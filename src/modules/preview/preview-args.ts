import type { PreviewType } from './preview.job.js';

/**
 * ffmpeg command lines of previews, as pure functions of confined inputs (`localInput`,
 * `remoteInput`, `rawVideoInput`, `rawAudioInput`): every seek is an input option (`-ss`
 * before `-i`), so over HTTP ffmpeg asks for the bytes it needs with range requests instead
 * of reading the file from its start.
 */
// `verbose`: ffmpeg then logs, as it closes each input, how many bytes it read of it (`bytesRead`).
const HEAD = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'verbose'];

const seconds = (n: number) => n.toFixed(3);

/** Encoder options of one still image by format (the image2 muxer picks the codec from the extension). */
export function imageCodec(format: string): string[] {
  if (format === 'webp') return ['-c:v', 'libwebp', '-quality', '85'];
  if (format === 'png') return ['-c:v', 'png'];
  return ['-c:v', 'mjpeg', '-q:v', '2'];
}

export interface Size {
  width: number;
  height: number;
}

/** The width of a picture: `width` when asked for, else the source's, at most `cap`. */
export interface Fit {
  width: number | null;
  cap?: number;
}

/**
 * A scale filter for `fit`, as ffmpeg expressions of the decoded frame: the width asked for
 * (else the source's, at most `cap`) and the height that keeps the aspect ratio, both even
 * and never below 2 (`even`, `scaledHeight`). The frame is the one after autorotation, so a
 * portrait phone video stays portrait; the command needs nothing ffprobe says. The size made
 * is read back from ffmpeg (`outputSize`).
 */
export function fitScale(fit: Fit): string {
  const evenOf = (x: string) => `max(2,round((${x})/2)*2)`;
  const width = fit.width !== null ? String(Math.max(2, Math.round(fit.width / 2) * 2)) : evenOf(fit.cap ? `min(${fit.cap},iw)` : 'iw');
  return `scale='${width}':'${evenOf('ow*ih/iw')}':flags=lanczos,setsar=1`;
}

/**
 * The size of the first video stream ffmpeg wrote, from what it logs of its output
 * (`Output #0, … Stream #0:0: Video: mjpeg, …, 1280x720 (0x0) [SAR 1:1 …]`); null when it logged none.
 */
export function outputSize(stderr: string): Size | null {
  const at = stderr.indexOf('Output #0');
  if (at < 0) return null;
  const m = /Stream #0:\d+.*: Video: .*?, (\d{1,5})x(\d{1,5})[ ,[]/.exec(stderr.slice(at));
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

/** One frame at `at`, scaled to `fit`. */
export function thumbnailArgs(input: string[], at: number, fit: Fit, format: string, output: string): string[] {
  return [...HEAD, '-ss', seconds(at), ...input, '-map', '0:v:0', '-frames:v', '1', '-vf', fitScale(fit), ...imageCodec(format), '-update', '1', output];
}

/**
 * An animation of the window [start, start + duration) (it ends where the media does), scaled
 * to `fit`: a GIF with a palette made for it (palettegen/paletteuse), an animated WebP, or a
 * silent MP4; all loop.
 */
export function animationArgs(input: string[], w: { start: number; duration: number }, fps: number, fit: Fit, format: string, output: string): string[] {
  const window = ['-ss', seconds(w.start), '-t', seconds(w.duration), ...input];
  const scale = `fps=${fps},${fitScale(fit)}`;
  if (format === 'gif') {
    return [...HEAD, ...window, '-filter_complex', `[0:v:0]${scale},split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=5`, '-loop', '0', '-f', 'gif', output];
  }
  if (format === 'webp') {
    return [...HEAD, ...window, '-map', '0:v:0', '-vf', scale, '-an', '-c:v', 'libwebp_anim', '-quality', '75', '-loop', '0', '-f', 'webp', output];
  }
  return [...HEAD, ...window, '-map', '0:v:0', '-vf', scale, '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', output];
}

/** One frame at `at`, scaled to exactly `tile` and written as raw RGB (a tile of a sheet). */
export function tileFrameArgs(input: string[], at: number, tile: Size, output: string): string[] {
  return [...HEAD, '-ss', seconds(at), ...input, '-map', '0:v:0', '-frames:v', '1', '-vf', tileScale(tile), '-f', 'rawvideo', '-pix_fmt', 'rgb24', output];
}

/**
 * Several frames in one ffmpeg, each by its own seek: an `-ss … -i` input per time and a one-frame
 * raw RGB output per input, in order. One process start (~0.2 s of dynamic linking here) serves
 * them all instead of one each.
 */
export function tileFramesArgs(input: string[], times: number[], tile: Size, outputs: string[]): string[] {
  if (times.length !== outputs.length) throw new Error('one output per time');
  const inputs = times.flatMap((at) => ['-ss', seconds(at), ...input]);
  const frames = outputs.flatMap((output, i) => ['-map', `${i}:v:0`, '-frames:v', '1', '-vf', tileScale(tile), '-f', 'rawvideo', '-pix_fmt', 'rgb24', output]);
  return [...HEAD, ...inputs, ...frames];
}

/** Frames every `interval` seconds of the whole media in one pass, as raw RGB tiles (dense storyboards). */
export function everyFrameArgs(input: string[], interval: number, count: number, tile: Size, output: string): string[] {
  return [...HEAD, ...input, '-map', '0:v:0', '-vf', `fps=1/${interval}:round=down,${tileScale(tile)}`, '-frames:v', String(count), '-f', 'rawvideo', '-pix_fmt', 'rgb24', output];
}

/** The tile size exactly, letterboxed when the frame's shape differs (a frame that changes size mid-stream). */
function tileScale(tile: Size): string {
  return `scale=${tile.width}:${tile.height}:force_original_aspect_ratio=decrease:flags=lanczos,pad=${tile.width}:${tile.height}:-1:-1,setsar=1`;
}

/** Raw RGB tiles (in order) laid out `columns` × `rows` per image: one image per full (or last) sheet. */
export function sheetArgs(raw: string[], columns: number, rows: number, format: string, output: string, sheets: number): string[] {
  return [...HEAD, ...raw, '-vf', `tile=${columns}x${rows}`, '-frames:v', String(sheets), ...imageCodec(format), ...(output.includes('%') ? [] : ['-update', '1']), output];
}

const MP4_VIDEO = new Set(['h264', 'hevc', 'av1', 'mpeg4']);
const MP4_AUDIO = new Set(['aac', 'mp3', 'opus', 'ac3', 'eac3', 'alac', 'flac']);
const WEBM_VIDEO = new Set(['vp8', 'vp9', 'av1']);
const WEBM_AUDIO = new Set(['opus', 'vorbis']);

/** Whether a stream copy of these codecs fits the clip's container (a `fast` clip). */
export function copyFits(format: string, video: string | null, audio: string | null): boolean {
  const [v, a] = format === 'webm' ? [WEBM_VIDEO, WEBM_AUDIO] : [MP4_VIDEO, MP4_AUDIO];
  return (video === null || v.has(video)) && (audio === null || a.has(audio)) && (video !== null || audio !== null);
}

/**
 * A clip of [start, start + duration) with its audio: `exact` re-encodes and starts on the
 * requested frame; `fast` copies the streams from the keyframe at or before `start`.
 */
export function clipArgs(input: string[], w: { start: number; duration: number }, precision: 'exact' | 'fast', format: string, output: string): string[] {
  const window = ['-ss', seconds(w.start), '-t', seconds(w.duration), ...input, '-map', '0:v:0?', '-map', '0:a:0?'];
  const muxer = format === 'webm' ? ['-f', 'webm'] : ['-movflags', '+faststart', '-f', 'mp4'];
  if (precision === 'fast') return [...HEAD, ...window, '-c', 'copy', '-avoid_negative_ts', 'make_zero', ...muxer, output];
  const codecs =
    format === 'webm'
      ? ['-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', '33', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1', '-c:a', 'libopus', '-b:a', '96k']
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k'];
  return [...HEAD, ...window, ...codecs, ...muxer, output];
}

/** ffprobe: the times of the keyframes in the 30 s before `at` (the last one is where a stream copy starts). */
export function keyframesBeforeArgs(input: string[], at: number): string[] {
  return [
    '-hide_banner', '-loglevel', 'verbose', '-select_streams', 'v:0', '-skip_frame', 'nokey', '-show_entries', 'frame=best_effort_timestamp_time',
    '-of', 'csv=p=0', '-read_intervals', `${seconds(Math.max(0, at - 30))}%${seconds(at + 0.001)}`, ...input,
  ];
}

/** The audio decoded to 8 kHz mono 16-bit PCM: what the peaks and the picture are drawn from. */
export const PEAK_SAMPLE_RATE = 8000;
export function pcmArgs(input: string[], output: string): string[] {
  return [...HEAD, ...input, '-map', '0:a:0', '-ac', '1', '-ar', String(PEAK_SAMPLE_RATE), '-f', 's16le', '-c:a', 'pcm_s16le', output];
}

/** The waveform picture from that PCM: `color` on `background`. */
export function waveformPngArgs(pcm: string[], width: number, height: number, color: string, background: string, output: string): string[] {
  const hex = (c: string) => `0x${c.slice(1)}`;
  const graph = `color=c=${hex(background)}:s=${width}x${height}[bg];[0:a]showwavespic=s=${width}x${height}:colors=${hex(color)}[w];[bg][w]overlay=format=auto,format=rgb24`;
  return [...HEAD, ...pcm, '-filter_complex', graph, '-frames:v', '1', '-c:v', 'png', '-update', '1', output];
}

/** The kind and content type of each output format. */
export function outputKind(type: PreviewType, format: string): { kind: string; contentType: string } {
  const types: Record<string, string> = {
    jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', mp4: 'video/mp4', webm: 'video/webm', svg: 'image/svg+xml', vtt: 'text/vtt',
  };
  const kind = type === 'gif' ? (format === 'mp4' ? 'video' : 'animation') : type === 'clip' ? 'video' : 'image';
  return { kind, contentType: types[format] ?? 'application/octet-stream' };
}

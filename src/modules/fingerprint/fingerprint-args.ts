import { HASH_SIDE } from './phash.js';

/**
 * One decoding pass for both fingerprints: a frame per second, its central 80 % (the corners and
 * edges, where logos, tickers and letterboxing sit, are left out) downscaled (area average) to
 * the hash's 32 × 32 gray, as raw bytes; and the audio through ffmpeg's Chromaprint muxer, raw, so
 * its items can be aligned. Streams that do not exist are skipped (`?`), so audio-only and silent
 * sources work.
 */
export function fingerprintArgs(input: string[], video: string | null, audio: string | null): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...input,
    ...(video ? ['-map', '0:v:0', '-vf', `fps=1:round=down,crop=iw*0.8:ih*0.8,scale=${HASH_SIDE}:${HASH_SIDE}:flags=area,format=gray`, '-f', 'rawvideo', video] : []),
    ...(audio ? ['-map', '0:a:0', '-ac', '1', '-f', 'chromaprint', '-fp_format', 'raw', audio] : []),
  ];
}

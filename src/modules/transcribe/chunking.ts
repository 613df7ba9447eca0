import { localInput } from '../../platform/tools/ffprobe.js';

/** Audio for an upload-limited speech API: mono 16 kHz Opus at 24 kbit/s (~10 MB per hour). */
export const SPEECH_OPUS_BYTES_PER_SECOND = 24_000 / 8;

/** What that Opus will weigh, with room for container overhead and bitrate peaks. */
export function estimateOpusBytes(durationSeconds: number): number {
  return Math.ceil(durationSeconds * SPEECH_OPUS_BYTES_PER_SECOND * 1.25);
}

export function speechOpusArgs(input: string, output: string, limitSeconds?: number): string[] {
  return ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...localInput(input), ...limitArgs(limitSeconds), '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', '-f', 'ogg', output];
}

/** Output options that stop after the first `seconds` of the input (the minutes paid for); none when undefined. */
export function limitArgs(seconds: number | undefined): string[] {
  return seconds === undefined || !Number.isFinite(seconds) ? [] : ['-t', seconds.toFixed(3)];
}

/** ffmpeg silencedetect over the file (its first `limitSeconds` when given), its findings printed to stdout (however many). */
export function silenceDetectArgs(input: string, limitSeconds?: number): string[] {
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', ...localInput(input), ...limitArgs(limitSeconds), '-af', 'silencedetect=noise=-35dB:d=0.4,ametadata=mode=print:file=-', '-vn', '-f', 'null', '-'];
}

/** `lavfi.silence_start=9` / `lavfi.silence_end=10` (or the log form `silence_start: 9`) → [start, end] pairs. */
export function parseSilences(output: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start: number | null = null;
  for (const line of output.split('\n')) {
    const s = /silence_start(?:: |=)(-?[\d.]+)/.exec(line);
    if (s) start = Math.max(0, Number(s[1]));
    const e = /silence_end(?:: |=)([\d.]+)/.exec(line);
    if (e && start !== null) {
      out.push([start, Number(e[1])]);
      start = null;
    }
  }
  return out;
}

/**
 * Where to cut a recording of `durationSeconds` and `sizeBytes` into chunks under `limitBytes`:
 * evenly sized chunks with a 10 % margin, each cut moved to the middle of the nearest silence
 * within a quarter chunk (so no word is cut in half), else cut at the even point.
 */
export function planChunks(
  durationSeconds: number,
  sizeBytes: number,
  limitBytes: number,
  silences: Array<[number, number]>,
  maxChunkSeconds = Infinity,
): Array<[number, number]> {
  const count = Math.max(Math.ceil(sizeBytes / (limitBytes * 0.9)), Math.ceil(durationSeconds / maxChunkSeconds), 1);
  if (count === 1 || durationSeconds <= 0) return [[0, durationSeconds]];
  const target = durationSeconds / count;
  const middles = silences.map(([a, b]) => (a + b) / 2);
  const cuts: number[] = [];
  for (let k = 1; k < count; k++) {
    const ideal = k * target;
    const near = middles.filter((m) => Math.abs(m - ideal) <= target / 4 && m > (cuts[cuts.length - 1] ?? 0) + 1);
    near.sort((a, b) => Math.abs(a - ideal) - Math.abs(b - ideal));
    cuts.push(near[0] ?? ideal);
  }
  const bounds = [0, ...cuts, durationSeconds];
  return bounds.slice(1).map((end, i) => [bounds[i]!, end]);
}

/**
 * One chunk, cut exactly (decoded and re-encoded: a stream copy would start at the previous Ogg
 * page, overlapping its neighbour and shifting every time in it).
 */
export function chunkArgs(input: string, output: string, start: number, end: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-ss', start.toFixed(3), '-to', end.toFixed(3), ...localInput(input),
    '-ac', '1', '-ar', '16000', '-c:a', 'libopus', '-b:a', '24k', '-application', 'voip', '-f', 'ogg', output,
  ];
}

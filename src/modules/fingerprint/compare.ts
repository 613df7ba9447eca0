import type { Fingerprint } from './fingerprint.job.js';
import { AUDIO_ITEM_SECONDS, AUDIO_MATCH_BITS, audioSequence, compareSequences, VIDEO_MATCH_BITS, videoSequence, type Comparison } from './matching.js';
import { VIDEO_ALGORITHM, VIDEO_VERSION } from './phash.js';

export interface FingerprintComparison extends Comparison {
  /** Which fingerprints were compared: both when both sides have both. */
  compared_on: Array<'video' | 'audio'>;
  video: Comparison | null;
  audio: Comparison | null;
}

/** Seconds around the video's offset that the audio's alignment is looked for in. */
const AUDIO_AROUND_VIDEO_SECONDS = 3;

/** A raw Chromaprint (base64 of little-endian uint32 items) as its items. */
export function chromaprintItems(base64: string): Uint32Array {
  const raw = Buffer.from(base64, 'base64');
  const items = new Uint32Array(raw.length >> 2);
  for (let i = 0; i < items.length; i++) items[i] = raw.readUInt32LE(i * 4);
  return items;
}

const comparableVideo = (f: Fingerprint) => f.video !== null && f.video.algorithm === VIDEO_ALGORITHM && f.video.version === VIDEO_VERSION && f.video.interval === 1;

/**
 * Compares two fingerprints on what both have: video hashes aligned by the offset most frames
 * agree on, audio aligned the same way (near the video's offset when there is one). The answer's
 * top-level numbers are the video's when both have video, the audio's otherwise.
 */
export function compareFingerprints(a: Fingerprint, b: Fingerprint): FingerprintComparison {
  const video = comparableVideo(a) && comparableVideo(b) ? compareSequences(videoSequence(a.video!.hashes), videoSequence(b.video!.hashes), VIDEO_MATCH_BITS) : null;
  let audio: Comparison | null = null;
  if (a.audio && b.audio) {
    const as = audioSequence(chromaprintItems(a.audio.fingerprint));
    const bs = audioSequence(chromaprintItems(b.audio.fingerprint));
    const around = video?.offset_seconds != null
      ? ([video.offset_seconds - AUDIO_AROUND_VIDEO_SECONDS, video.offset_seconds + AUDIO_AROUND_VIDEO_SECONDS].map((s) => Math.round(s / AUDIO_ITEM_SECONDS)) as [number, number])
      : undefined;
    audio = compareSequences(as, bs, AUDIO_MATCH_BITS, around);
  }
  const top = video ?? audio ?? { similarity: 0, offset_seconds: null, a_coverage: 0, b_coverage: 0, matches: [] };
  return { ...top, compared_on: [...(video ? ['video' as const] : []), ...(audio ? ['audio' as const] : [])], video, audio };
}

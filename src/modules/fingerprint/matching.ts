import { halves, popcount32 } from './phash.js';

/**
 * Matching two fingerprints: find the alignment (the offset that makes the most items agree),
 * then report how much of each side matched and where. The same code for both modalities:
 * video items are one 64-bit hash per second, audio items one 32-bit Chromaprint value per
 * ~0.124 s.
 */
export interface Sequence {
  /** `width` 32-bit words per item. */
  words: Uint32Array;
  width: 1 | 2;
  /** 0 for an item that must match nothing (a frame with no detail). */
  valid: Uint8Array;
  /** Seconds per item. */
  step: number;
}

export interface Comparison {
  /** Matched items over the shorter side's usable items: how much of it is found in the other. */
  similarity: number;
  /** Where b starts inside a, in seconds (negative when a starts inside b); null without a match. */
  offset_seconds: number | null;
  a_coverage: number;
  b_coverage: number;
  matches: Array<{ a_start: number; a_end: number; b_start: number; b_end: number }>;
}

/** Differing bits at or under which two video hashes (of 64) are the same picture. */
export const VIDEO_MATCH_BITS = 10;
/** Differing bits at or under which two Chromaprint items (of 32) are the same sound. */
export const AUDIO_MATCH_BITS = 8;
/** Chromaprint's default algorithm: one item per 4096 / 3 samples at 11025 Hz. */
export const AUDIO_ITEM_SECONDS = 4096 / 3 / 11025;
/** Fewer matched items than this is chance, not a match. */
const MIN_MATCHED = 3;
/** Unmatched items a run of matches may skip (a changed frame, a dropout) and still be one run. */
const RUN_GAP = 2;
/** Above this many item pairs, candidate offsets come from shared 16-bit bands instead of trying them all. */
const BRUTE_FORCE_PAIRS = 20_000_000;

export function videoSequence(hashes: Array<string | null>): Sequence {
  const words = new Uint32Array(hashes.length * 2);
  const valid = new Uint8Array(hashes.length);
  hashes.forEach((h, i) => {
    if (!h) return;
    const [hi, lo] = halves(h);
    words[2 * i] = hi;
    words[2 * i + 1] = lo;
    valid[i] = 1;
  });
  return { words, width: 2, valid, step: 1 };
}

export function audioSequence(items: Uint32Array): Sequence {
  return { words: items, width: 1, valid: new Uint8Array(items.length).fill(1), step: AUDIO_ITEM_SECONDS };
}

const length = (s: Sequence) => s.valid.length;

function distance(a: Sequence, i: number, b: Sequence, j: number): number {
  let d = 0;
  for (let w = 0; w < a.width; w++) d += popcount32((a.words[i * a.width + w]! ^ b.words[j * b.width + w]!) >>> 0);
  return d;
}

const matchAt = (a: Sequence, i: number, b: Sequence, j: number, bits: number) => a.valid[i] === 1 && b.valid[j] === 1 && distance(a, i, b, j) <= bits;

/** Matched pairs when b's item j lies over a's item j + offset. */
function countAt(a: Sequence, b: Sequence, offset: number, bits: number): number {
  let n = 0;
  const from = Math.max(0, -offset);
  const to = Math.min(length(b), length(a) - offset);
  for (let j = from; j < to; j++) if (matchAt(a, j + offset, b, j, bits)) n++;
  return n;
}

/** Offsets worth trying: all of them for short sequences, else those pairs sharing a 16-bit band vote for. */
function candidateOffsets(a: Sequence, b: Sequence, bits: number, within?: [number, number]): number[] {
  const [lo, hi] = within ?? [-(length(b) - 1), length(a) - 1];
  if (length(a) * length(b) <= BRUTE_FORCE_PAIRS || within) {
    return Array.from({ length: Math.max(0, hi - lo + 1) }, (_, k) => lo + k);
  }
  const index = new Map<number, number[]>();
  const bandsOf = (s: Sequence, i: number) => {
    const out: number[] = [];
    for (let w = 0; w < s.width; w++) {
      const word = s.words[i * s.width + w]!;
      out.push((w * 2) * 65536 + (word >>> 16), (w * 2 + 1) * 65536 + (word & 0xffff));
    }
    return out;
  };
  for (let i = 0; i < length(a); i++) {
    if (!a.valid[i]) continue;
    for (const key of bandsOf(a, i)) {
      const list = index.get(key);
      if (list) list.push(i);
      else index.set(key, [i]);
    }
  }
  const votes = new Map<number, number>();
  for (let j = 0; j < length(b); j++) {
    if (!b.valid[j]) continue;
    const seen = new Set<number>();
    for (const key of bandsOf(b, j))
      for (const i of index.get(key) ?? []) {
        if (seen.has(i) || !matchAt(a, i, b, j, bits)) continue;
        seen.add(i);
        votes.set(i - j, (votes.get(i - j) ?? 0) + 1);
      }
  }
  return [...votes.entries()].sort((x, y) => y[1] - x[1]).slice(0, 20).map(([offset]) => offset);
}

/**
 * Compares b with a: the offset with the most matching items (ties: the smallest shift), then the
 * runs of matches at that offset. `within` limits the offsets tried (items), e.g. around the
 * offset the other modality found.
 */
export function compareSequences(a: Sequence, b: Sequence, bits: number, within?: [number, number]): Comparison {
  let best = { offset: 0, matched: -1 };
  for (const offset of candidateOffsets(a, b, bits, within)) {
    const matched = countAt(a, b, offset, bits);
    if (matched > best.matched || (matched === best.matched && Math.abs(offset) < Math.abs(best.offset))) best = { offset, matched };
  }
  const usableA = a.valid.reduce((n, v) => n + v, 0);
  const usableB = b.valid.reduce((n, v) => n + v, 0);
  if (best.matched < MIN_MATCHED || usableA === 0 || usableB === 0) {
    return { similarity: 0, offset_seconds: null, a_coverage: 0, b_coverage: 0, matches: [] };
  }
  const runs: Comparison['matches'] = [];
  const from = Math.max(0, -best.offset);
  const to = Math.min(length(b), length(a) - best.offset);
  let start = -1;
  let last = -1;
  const close = () => {
    if (start < 0) return;
    const round = (n: number) => Math.round(n * 1000) / 1000;
    runs.push({ a_start: round((start + best.offset) * a.step), a_end: round((last + 1 + best.offset) * a.step), b_start: round(start * b.step), b_end: round((last + 1) * b.step) });
    start = -1;
  };
  for (let j = from; j < to; j++) {
    if (!matchAt(a, j + best.offset, b, j, bits)) continue;
    if (start >= 0 && j - last - 1 > RUN_GAP) close();
    if (start < 0) start = j;
    last = j;
  }
  close();
  const ratio = (n: number) => Math.round(Math.min(1, n) * 1000) / 1000;
  return {
    similarity: ratio(best.matched / Math.min(usableA, usableB)),
    offset_seconds: Math.round(best.offset * a.step * 1000) / 1000,
    a_coverage: ratio(best.matched / usableA),
    b_coverage: ratio(best.matched / usableB),
    matches: runs,
  };
}

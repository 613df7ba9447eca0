import { QUERY_FRAMES, queryFrames } from './fingerprint.repository.js';
import { describe, expect, it } from '@jest/globals';
import { compareFingerprints, chromaprintItems } from './compare.js';
import { audioSequence, compareSequences, VIDEO_MATCH_BITS, videoSequence } from './matching.js';
import { bands, hamming, HASH_SIDE, phash, popcount32, toBigintText } from './phash.js';

/** A picture as a function of position in [0, 1)², sampled at `size` and box-averaged down to 32 × 32. */
function picture(f: (x: number, y: number) => number, size = HASH_SIDE): Uint8Array {
  const k = size / HASH_SIDE;
  const out = new Uint8Array(HASH_SIDE * HASH_SIDE);
  for (let Y = 0; Y < HASH_SIDE; Y++)
    for (let X = 0; X < HASH_SIDE; X++) {
      let acc = 0;
      for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) acc += f((X * k + dx + 0.5) / size, (Y * k + dy + 0.5) / size);
      out[Y * HASH_SIDE + X] = Math.max(0, Math.min(255, Math.round(acc / (k * k))));
    }
  return out;
}

const scene = (x: number, y: number) => 128 + 70 * Math.sin(3 * Math.PI * x) * Math.cos(2 * Math.PI * y) + 50 * (x - y) + (x > 0.6 && y < 0.3 ? 40 : 0);

/** Deterministic pseudo-random 64-bit hashes. */
function randomHashes(n: number, seed = 1): string[] {
  let s = seed;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s);
  return Array.from({ length: n }, () => next().toString(16).padStart(8, '0') + next().toString(16).padStart(8, '0'));
}

/** The hash with `bits` of its bits flipped (a re-encoded copy). */
function flip(hex: string, bits: number, at = 5): string {
  let n = BigInt(`0x${hex}`);
  for (let i = 0; i < bits; i++) n ^= 1n << BigInt((at + i * 7) % 64);
  return n.toString(16).padStart(16, '0');
}

describe('the video hash', () => {
  it('is the same for the same picture at another size, different for a rotation, none for a flat frame', () => {
    const original = phash(picture(scene))!;
    const larger = phash(picture(scene, 128))!;
    const rotated = phash(picture((x, y) => scene(y, 1 - x)))!;
    expect(original).toMatch(/^[0-9a-f]{16}$/);
    expect(hamming(original, larger)).toBeLessThanOrEqual(4);
    expect(hamming(original, rotated)).toBeGreaterThan(VIDEO_MATCH_BITS);
    expect(phash(picture(() => 0))).toBeNull();
    expect(phash(picture(() => 200))).toBeNull();
    expect(phash(picture((x) => 100 + (x > 0.5 ? 2 : 0)))).toBeNull();
  });

  it('counts differing bits, and splits into bands that near copies share', () => {
    expect(popcount32(0xffffffff)).toBe(32);
    expect(hamming('ffffffffffffffff', '0000000000000000')).toBe(64);
    expect(hamming('8000000000000001', '0000000000000000')).toBe(2);
    expect(bands('0001000200030004')).toEqual([1, 2, 3, 4]);
    expect(toBigintText('ffffffffffffffff')).toBe('-1');
    // Within 3 bits, a band is always shared (pigeonhole over four bands).
    for (const h of randomHashes(50, 7)) {
      const near = flip(h, 3, Number.parseInt(h.slice(0, 2), 16));
      expect(bands(h).some((b, i) => b === bands(near)[i])).toBe(true);
    }
  });
});

describe('matching', () => {
  it('aligns an excerpt at its offset with full coverage of it, and reports the run', () => {
    const a = randomHashes(30);
    const b = a.slice(10, 21).map((h) => flip(h, 4));
    const c = compareSequences(videoSequence(a), videoSequence(b), VIDEO_MATCH_BITS);
    expect(c).toEqual({ similarity: 1, offset_seconds: 10, a_coverage: 0.367, b_coverage: 1, matches: [{ a_start: 10, a_end: 21, b_start: 0, b_end: 11 }] });
    // The other way round, a starts inside b.
    expect(compareSequences(videoSequence(b), videoSequence(a), VIDEO_MATCH_BITS).offset_seconds).toBe(-10);
  });

  it('never matches flat frames, splits runs at longer gaps, and calls a few chance matches nothing', () => {
    const a = randomHashes(20, 3);
    const b: Array<string | null> = [...a];
    b[5] = null;
    for (const i of [10, 11, 12, 13]) b[i] = flip(a[i]!, 30);
    const c = compareSequences(videoSequence(a), videoSequence(b), VIDEO_MATCH_BITS);
    expect(c.matches).toEqual([
      { a_start: 0, a_end: 10, b_start: 0, b_end: 10 },
      { a_start: 14, a_end: 20, b_start: 14, b_end: 20 },
    ]);
    expect(c.b_coverage).toBe(Math.round((15 / 19) * 1000) / 1000);
    expect(compareSequences(videoSequence(randomHashes(20, 11)), videoSequence(randomHashes(20, 12)), VIDEO_MATCH_BITS)).toMatchObject({ similarity: 0, offset_seconds: null });
  });

  it('finds the offset through shared bands when the sequences are too long to try every offset', () => {
    const a = randomHashes(6000, 5);
    const b = a.slice(1000, 4500).map((h, i) => flip(h, i % 3));
    const c = compareSequences(videoSequence(a), videoSequence(b), VIDEO_MATCH_BITS);
    expect([c.offset_seconds, c.b_coverage]).toEqual([1000, 1]);
  });

  it('compares audio in Chromaprint items and says which modalities were compared', () => {
    const items = new Uint32Array(Array.from({ length: 200 }, (_, i) => (Math.imul(i + 1, 2654435761) >>> 0)));
    const shifted = items.slice(40);
    const base64 = (u: Uint32Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
    expect([...chromaprintItems(base64(items))]).toEqual([...items]);
    const c = compareSequences(audioSequence(items), audioSequence(shifted), 8);
    expect(c.offset_seconds).toBeCloseTo(40 * (4096 / 3 / 11025), 3);
    const audio = { algorithm: 'chromaprint' as const, version: 1, item_duration: 0.124, duration: 25 };
    const both = compareFingerprints(
      { duration: 25, video: null, audio: { ...audio, fingerprint: base64(items) } },
      { duration: 20, video: null, audio: { ...audio, fingerprint: base64(shifted) } },
    );
    expect(both).toMatchObject({ compared_on: ['audio'], video: null, b_coverage: 1 });
  });
});

describe('queryFrames (the seconds of a search query that look for candidates)', () => {
  const hex = (n: number) => n.toString(16).padStart(16, '0');

  it('keeps every non-empty, distinct second of a short query', () => {
    expect(queryFrames([hex(1), null, hex(2), hex(1), hex(3)])).toEqual([
      { hash: hex(1), second: 0 },
      { hash: hex(2), second: 2 },
      { hash: hex(3), second: 4 },
    ]);
  });

  it('spreads QUERY_FRAMES evenly over a long one', () => {
    const frames = queryFrames(Array.from({ length: 3600 }, (_, i) => hex(i + 1)));
    expect(frames).toHaveLength(QUERY_FRAMES);
    expect(frames[0]!.second).toBe(0);
    expect(frames.at(-1)!.second).toBeGreaterThan(3600 - 3600 / QUERY_FRAMES - 1);
    const gaps = frames.slice(1).map((f, i) => f.second - frames[i]!.second);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
  });
});

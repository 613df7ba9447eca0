import { describe, expect, it } from '@jest/globals';
import { parseSilences, planChunks } from './chunking.js';
import { mapBounded } from '../../platform/concurrency.js';

describe('chunking for upload-limited speech APIs', () => {
  it('parses silencedetect output', () => {
    const stderr = '[silencedetect @ 0x1] silence_start: 9.0012\n[silencedetect @ 0x1] silence_end: 10 | silence_duration: 0.99\n[silencedetect @ 0x1] silence_start: -0.01\n[silencedetect @ 0x1] silence_end: 0.5 | silence_duration: 0.5\n';
    expect(parseSilences(stderr)).toEqual([[9.0012, 10], [0, 0.5]]);
    expect(parseSilences('frame:1 pts:2 pts_time:9\nlavfi.silence_start=9.00102\nlavfi.silence_end=10\nlavfi.silence_duration=0.999\n')).toEqual([[9.00102, 10]]);
  });

  it('keeps a small file whole', () => {
    expect(planChunks(600, 1_000_000, 25_000_000, [])).toEqual([[0, 600]]);
  });

  it('cuts a large file into chunks under the limit, at the silence nearest each even point', () => {
    const silences: Array<[number, number]> = Array.from({ length: 180 }, (_, i) => [i * 10 + 9, i * 10 + 10]);
    const chunks = planChunks(1800, 5_400_000, 1_000_000, silences);
    expect(chunks).toHaveLength(6);
    expect(chunks[0]![0]).toBe(0);
    expect(chunks.at(-1)![1]).toBe(1800);
    for (let i = 1; i < chunks.length; i++) {
      expect(chunks[i]![0]).toBe(chunks[i - 1]![1]);
      expect(chunks[i]![0] % 10).toBeCloseTo(9.5);
    }
    for (const [a, b] of chunks) expect(b - a).toBeLessThan(1800 / 6 * 1.25);
  });

  it('also cuts recordings longer than the longest chunk, whatever their size', () => {
    expect(planChunks(3600, 1000, 25_000_000, [], 1200)).toEqual([[0, 1200], [1200, 2400], [2400, 3600]]);
  });

  it('cuts at the even point when there is no silence nearby', () => {
    expect(planChunks(100, 300, 100, [])).toEqual([[0, 25], [25, 50], [50, 75], [75, 100]]);
  });

  it('runs at most `limit` at once and keeps the order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 5));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});

import { describe, expect, it } from '@jest/globals';
import { mapBounded, Semaphore } from './concurrency.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('Semaphore', () => {
  it('lets at most `size` run at once, in order, and frees a slot when work fails', async () => {
    const gate = new Semaphore(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        gate.run(async () => {
          running++;
          most = Math.max(most, running);
          order.push(i);
          await tick();
          running--;
          if (i === 1) throw new Error('boom');
          return i;
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect(await gate.run(async () => 'still free')).toBe('still free');
  });
});

describe('mapBounded', () => {
  it('keeps the order of results', async () => {
    expect(await mapBounded([3, 1, 2], 2, async (n) => (await tick(), n * 2))).toEqual([6, 2, 4]);
  });
});

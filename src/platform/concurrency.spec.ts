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

  it('tryRun never waits, and never takes the slots it is told to leave', async () => {
    const gate = new Semaphore(3);
    const release: Array<() => void> = [];
    const hold = () => new Promise<void>((r) => release.push(r));
    // Waiters that leave one slot free: two fit in three slots, a third would take the last one.
    const waiters = [gate.tryRun(hold, 1), gate.tryRun(hold, 1)];
    expect(waiters.map((w) => w === null)).toEqual([false, false]);
    expect(gate.tryRun(hold, 1)).toBeNull();
    // What they wait for still gets its slot at once.
    await expect(gate.run(async () => 'produced')).resolves.toBe('produced');
    // Asked to leave nothing, tryRun takes the last slot, and then refuses.
    const last = gate.tryRun(hold);
    expect(last).not.toBeNull();
    expect(gate.tryRun(hold)).toBeNull();
    release.splice(0).forEach((r) => r());
    await Promise.all([...waiters, last]);
    expect(gate.tryRun(hold, 2)).not.toBeNull();
    release.splice(0).forEach((r) => r());
  });

  it('a slot freed while others wait goes to them, not to tryRun', async () => {
    const gate = new Semaphore(1);
    const release: Array<() => void> = [];
    const hold = () => new Promise<void>((r) => release.push(r));
    const busy = gate.run(hold);
    await tick();
    const queued = gate.run(hold);
    release.shift()!();
    await busy;
    await tick();
    expect(release).toHaveLength(1); // the queued one holds the slot now
    expect(gate.tryRun(hold)).toBeNull();
    release.shift()!();
    await queued;
  });
});

describe('mapBounded', () => {
  it('keeps the order of results', async () => {
    expect(await mapBounded([3, 1, 2], 2, async (n) => (await tick(), n * 2))).toEqual([6, 2, 4]);
  });
});

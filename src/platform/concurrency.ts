/** Runs `work` over `items` with at most `limit` running at once, keeping the order of results. */
export async function mapBounded<T, R>(items: T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** At most `size` holders at once; the others wait in order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    return this.hold(work);
  }

  /**
   * Runs `work` at once if it can take a slot and still leave `keepFree` free; null otherwise
   * (it never waits). For work that waits on other work needing a slot of its own: however many
   * of them run, they never hold the slots that work needs.
   */
  tryRun<T>(work: () => Promise<T>, keepFree = 0): Promise<T> | null {
    if (this.active + 1 + keepFree > this.size) return null;
    this.active++;
    return this.hold(work);
  }

  private async hold<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

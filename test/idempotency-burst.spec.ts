import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, media, startApp, type TestApp } from './support/app.js';
import { startSecondApi } from './support/processes.js';

/** `n` POSTs sharing one Idempotency-Key, all at once, spread over `bases`. */
function burst(bases: string[], key: string, n: number, idemKey: string): Promise<Array<{ status: number; body: any }>> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      call(bases[i % bases.length]!, 'POST', '/v1/download', { key, body: { url: media('second.mp4') }, headers: { 'idempotency-key': idemKey } }),
    ),
  );
}

/** Polls /health while `work` runs; returns the slowest answer in ms (or Infinity if one never came). */
async function healthDuring<T>(base: string, work: Promise<T>): Promise<{ result: T; slowestMs: number }> {
  let done = false;
  let slowest = 0;
  const poller = (async () => {
    while (!done) {
      const started = Date.now();
      const ok = await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status === 200, () => false);
      slowest = Math.max(slowest, ok ? Date.now() - started : Infinity);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const result = await work;
  done = true;
  await poller;
  return { result, slowestMs: slowest };
}

// Each waiting request used to hold its pooled connection while asking for a second one: a burst
// of ~50 froze the process for good. Now every request is answered, once charged.
describe('200 concurrent requests with one Idempotency-Key', () => {
  let t: TestApp;
  let other: { base: string; stop: () => Promise<void> } | undefined;
  let otherBase: string;

  beforeAll(async () => {
    t = await startApp({}, false);
    other = await startSecondApi(t.env);
    otherBase = other.base;
  });
  afterAll(async () => {
    await other?.stop();
    await t.close();
  });

  const expectOneJob = async (acct: { id: string; key: string }, answers: Array<{ status: number; body: any }>) => {
    expect(answers.filter((a) => a.status !== 202).map((a) => [a.status, a.body?.code, a.body?.detail]).slice(0, 3)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.job_id)).size).toBe(1);
    const jobs = await t.db.query('SELECT count(*)::int AS n FROM jobs WHERE account_id = $1', [acct.id]);
    expect(jobs[0].n).toBe(1);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(9);
  };

  it('in one API process: one job, one charge, every request answered, /health answering', async () => {
    const acct = await t.account(10);
    const { result, slowestMs } = await healthDuring(t.url, burst([t.url], acct.key, 200, 'burst-one'));
    await expectOneJob(acct, result);
    expect(slowestMs).toBeLessThan(10_000);
  });

  it('in two API processes sharing the database', async () => {
    const acct = await t.account(10);
    const { result, slowestMs } = await healthDuring(otherBase, burst([t.url, otherBase], acct.key, 200, 'burst-two'));
    await expectOneJob(acct, result);
    expect(slowestMs).toBeLessThan(10_000);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueName } from '../src/platform/tools/queue.repository.js';
import { call, media, startApp, waitForJob, type Reply, type TestApp } from './support/app.js';
import { books, honestOutageAnswer, ownServicesMissing, startOwnPostgres, startOwnRedis, type OwnService } from './support/own-services.js';
import { waitUntil } from './support/processes.js';

const missing = ownServicesMissing();
const OUTAGE_MS = 12_000;
const HONEST_503 = {
  status: 503,
  code: 'service_unavailable',
  retryAfter: expect.stringMatching(/^\d+$/),
  contentType: expect.stringContaining('application/problem+json'),
  leaks: false,
};
// direct.mp4 (1.3 MB) at 300 KB/s: a download of ~4.5 s, which ends while the database is down.
const SLOW = 'slow/direct.mp4?bps=300000';

// A Postgres and a Redis of this spec's own: it stops its database for 12 s under load.
(missing ? describe.skip : describe)(`Postgres restarted under load${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pg: OwnService;
  let redis: OwnService;
  let current: TestApp | undefined;
  // The database is this spec's alone, so the sweeper may take any unqueued job for a lost one;
  // one app at a time, or one app's sweeper would enqueue the other's jobs in its own queue.
  const app = async (overrides: Record<string, string>) => {
    current = await startApp({ DATABASE_URL: pg.url, REDIS_URL: redis.url, ENQUEUE_GRACE_SECONDS: '5', WORKER_CONCURRENCY: '2', ...overrides });
    return current;
  };
  beforeAll(async () => {
    redis = await startOwnRedis();
    pg = await startOwnPostgres();
  }, 60_000);
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  afterAll(async () => {
    await Promise.all([pg?.close(), redis?.close()]);
  });

  it('answers 503 with Retry-After while it is down; jobs queued before it complete after it, charged once', async () => {
    const t = await app({});
    const acct = await t.account(20);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media(SLOW) } });
      expect(res.status).toBe(202);
      ids.push(res.body.job_id as string);
    }
    // Two run (one worker, concurrency 2), four wait in the queue.
    await waitUntil(async () => (await books(t.db, acct.id)).jobs.filter((j) => j.status === 'processing').length === 2, 20_000, 'two jobs to run');

    await pg.stop();
    const downAt = Date.now();
    const answers: Reply[] = [];
    while (Date.now() - downAt < OUTAGE_MS) {
      answers.push(
        ...(await Promise.all([
          call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } }),
          call(t.url, 'GET', '/v1/account', { key: acct.key }),
          call(t.url, 'GET', `/v1/jobs/${ids[0]}`, { key: acct.key }),
        ])),
      );
      await new Promise((r) => setTimeout(r, 500));
    }
    await pg.start();

    expect(answers.length).toBeGreaterThan(10);
    expect(answers.map(honestOutageAnswer)).toEqual(answers.map(() => HONEST_503));
    const live = await call(t.url, 'GET', '/health/live');
    expect(live.status).toBe(200);

    for (const id of ids) {
      // Not failed, not refunded: an outage is nobody's failure.
      expect(await waitForJob(t.url, acct.key, id, 90_000)).toMatchObject({ status: 'completed', error: null, credits_charged: 1, credits_refunded: 0 });
    }
    const after = await books(t.db, acct.id);
    // Nothing accepted during the outage, nothing charged twice, nothing left running.
    expect(after.jobs.map((j) => j.id)).toEqual(ids);
    expect(after.jobs.map((j) => [j.status, j.charges])).toEqual(ids.map(() => ['completed', 1]));
    expect(after).toMatchObject({ balance: 20 - ids.length, ledger: 20 - ids.length });
    // The two that were running finished their work while the database was down and were
    // recorded once it was back, without running again; the queued ones waited without
    // using an attempt (one attempt each).
    const waitedToSettle = after.jobs.filter((j) => j.started_at!.getTime() < downAt && j.completed_at!.getTime() >= downAt + OUTAGE_MS);
    expect(waitedToSettle).toHaveLength(2);
    expect(after.jobs.map((j) => j.attempts)).toEqual(ids.map(() => 1));
  }, 150_000);

  it('a hung database (SIGSTOP) gets 503 answers within the query timeout, and what they refused is never charged once it wakes', async () => {
    const t = await app({ DATABASE_QUERY_TIMEOUT_SECONDS: '2', AUTH_CACHE_SECONDS: '0' });
    const acct = await t.account(10);
    expect((await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } })).status).toBe(202);
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Media));
    await queue.pause();

    await pg.hang();
    const answers: Array<Reply & { ms: number }> = [];
    try {
      const timed = async (route: string, method = 'GET', body?: unknown) => {
        const t0 = Date.now();
        const reply = await call(t.url, method, route, { key: acct.key, body });
        return { ...reply, ms: Date.now() - t0 };
      };
      // More at once than the pool has connections: the ones that wait for a connection are bounded too.
      for (let round = 0; round < 2; round++) {
        answers.push(
          ...(await Promise.all([
            ...Array.from({ length: 12 }, () => timed('/v1/download', 'POST', { url: media('direct.mp4') })),
            ...Array.from({ length: 12 }, () => timed('/v1/account')),
          ])),
        );
      }
    } finally {
      await pg.wake();
    }
    expect(answers.map(honestOutageAnswer)).toEqual(answers.map(() => HONEST_503));
    // The query timeout (2 s), or the pool's wait for a connection (5 s) plus it: never unbounded.
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(12_000);

    // Once it answers again: the statements that were waiting ran and were rolled back.
    await waitUntil(async () => (await call(t.url, 'GET', '/v1/account', { key: acct.key })).status === 200, 30_000, 'the database to answer');
    const after = await books(t.db, acct.id);
    expect(after.jobs).toHaveLength(1);
    expect(after).toMatchObject({ balance: 9, ledger: 9 });
    expect((await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } })).status).toBe(202);
    await queue.resume();
  }, 90_000);

  it('a job is failed and refunded once it has waited JOB_OUTAGE_WAIT_SECONDS: nothing waits forever', async () => {
    const t = await app({ JOB_OUTAGE_WAIT_SECONDS: '2', ENQUEUE_GRACE_SECONDS: '2', SWEEP_INTERVAL_SECONDS: '1' });
    const acct = await t.account(5);
    // Queued, and taken by the worker only once the database is down: it waits from the outage's first second.
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Media));
    await queue.pause();
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } });
    expect(res.status).toBe(202);
    await pg.stop();
    await queue.resume();
    await new Promise((r) => setTimeout(r, 6000));
    await pg.start();

    // Recorded once the database is back, by the worker or the sweeper: failed, and every credit back.
    const job = await waitForJob(t.url, acct.key, res.body.job_id as string, 30_000);
    expect(job).toMatchObject({ status: 'failed', credits_charged: 1, credits_refunded: 1 });
    // Decided by the worker while the database was away and recorded as decided: the outage, not an internal error.
    expect(job.error.code).toBe('service_unavailable');
    expect(await books(t.db, acct.id)).toMatchObject({ balance: 5, ledger: 5 });
  }, 60_000);
});

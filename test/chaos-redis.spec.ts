import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, media, startApp, waitForJob, type Reply, type TestApp } from './support/app.js';
import { books, honestOutageAnswer, ownServicesMissing, startOwnPostgres, startOwnRedis, type OwnService } from './support/own-services.js';

const missing = ownServicesMissing();
const HONEST_503 = {
  status: 503,
  code: 'service_unavailable',
  retryAfter: expect.stringMatching(/^\d+$/),
  contentType: expect.stringContaining('application/problem+json'),
  leaks: false,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed<T>(request: Promise<T>): Promise<T & { ms: number }> {
  const started = Date.now();
  const reply = await request;
  return Object.assign(reply as object, { ms: Date.now() - started }) as T & { ms: number };
}

// A Redis and a Postgres of this spec's own: it stops its Redis (which keeps nothing on disk, so
// the queue is lost with it) and hangs it with SIGSTOP, under the same running app.
(missing ? describe.skip : describe)(`Redis failing under load${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let pg: OwnService;
  let redis: OwnService;
  let t: TestApp;
  beforeAll(async () => {
    redis = await startOwnRedis();
    pg = await startOwnPostgres();
    // The database is this spec's alone, so the sweeper may take any unqueued job for a lost one.
    t = await startApp({ DATABASE_URL: pg.url, REDIS_URL: redis.url, ENQUEUE_GRACE_SECONDS: '3', SWEEP_INTERVAL_SECONDS: '1', WORKER_CONCURRENCY: '2' });
  }, 60_000);
  afterAll(async () => {
    await redis?.wake();
    await t?.close();
    await Promise.all([pg?.close(), redis?.close()]);
  });

  it('stopped and restarted during a burst: 202 or 503 with Retry-After, nothing charged for a 503, every accepted job ends', async () => {
    const acct = await t.account(100);
    const answers: Reply[] = [];
    const submit = async () => {
      answers.push(await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } }));
    };
    // Five seconds of pairs of submissions; Redis is away from the first second for 2.5 s.
    const burstEnds = Date.now() + 5000;
    const burst = (async () => {
      while (Date.now() < burstEnds) {
        await Promise.all([submit(), submit()]);
        await sleep(250);
      }
    })();
    await sleep(1000);
    await redis.stop();
    await sleep(2500);
    await redis.start();
    await burst;

    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status !== 202);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map(honestOutageAnswer)).toEqual(refused.map(() => HONEST_503));

    // Every accepted job ends without restarting anything: the ones Redis lost are enqueued again.
    const ids = accepted.map((a) => a.body.job_id as string);
    for (const id of ids) {
      const job = await waitForJob(t.url, acct.key, id, 90_000);
      expect(job.status === 'completed' || (job.status === 'failed' && job.credits_refunded === job.credits_charged)).toBe(true);
    }
    const after = await books(t.db, acct.id);
    // Exactly the accepted jobs exist, each charged once: a 503 charged nothing.
    expect(after.jobs.map((j) => j.id).sort()).toEqual([...ids].sort());
    expect(after.jobs.filter((j) => j.charges !== 1)).toEqual([]);
    expect(after.balance).toBe(after.ledger);
    expect(after.jobs.filter((j) => j.status === 'processing' || j.status === 'pending')).toEqual([]);
  }, 150_000);

  it('hung (SIGSTOP): requests answer 503 quickly, readiness names Redis while liveness is 200; all recovers after SIGCONT', async () => {
    const acct = await t.account(10);
    const before = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=450000') } });
    expect(before.status).toBe(202);

    await redis.hang();
    const [submitted, read, ready, live] = await Promise.all([
      timed(call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } })),
      timed(call(t.url, 'GET', `/v1/jobs/${before.body.job_id}`, { key: acct.key })),
      timed(call(t.url, 'GET', '/health/ready')),
      timed(call(t.url, 'GET', '/health/live')),
    ]);
    await sleep(2000); // hung for a while longer than one command's timeout
    const health = await call(t.url, 'GET', '/health');
    await redis.wake();

    for (const reply of [submitted, read]) {
      expect(honestOutageAnswer(reply)).toEqual(HONEST_503);
      expect(reply.ms).toBeLessThan(5000);
    }
    expect([ready.status, ready.body, ready.ms < 5000]).toEqual([503, { status: 'degraded', database: true, redis: false }, true]);
    expect([live.status, live.ms < 5000]).toEqual([200, true]);
    expect(health.body).toEqual({ status: 'degraded', database: true, redis: false });

    const job = await waitForJob(t.url, acct.key, before.body.job_id, 60_000);
    expect(job).toMatchObject({ status: 'completed', credits_refunded: 0 });
    const again = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } });
    expect(again.status).toBe(202);
    expect((await waitForJob(t.url, acct.key, again.body.job_id, 60_000)).status).toBe('completed');
    expect((await call(t.url, 'GET', '/health/ready')).status).toBe(200);
    const after = await books(t.db, acct.id);
    // The refused request charged nothing: two jobs, one charge each.
    expect(after.jobs.map((j) => [j.status, j.charges])).toEqual([['completed', 1], ['completed', 1]]);
    expect(after).toMatchObject({ balance: 8, ledger: 8 });
  }, 120_000);
});

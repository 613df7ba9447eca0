import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, freePort, startApp, type TestApp } from './support/app.js';

// Nothing listens on this port: the app starts, but Redis is down for every request.
describe('Redis unavailable', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }, false);
  });
  afterAll(async () => t.close());

  it('a job request fails with 503 service_unavailable before any charge; health says which part is down', async () => {
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: 'http://127.0.0.1:9/video.mp4' } });
    expect([res.status, res.body.code]).toEqual([503, 'service_unavailable']);
    const jobs = (await t.db.query('SELECT count(*)::int AS n FROM jobs WHERE account_id = $1', [acct.id])) as Array<{ n: number }>;
    expect(jobs[0]!.n).toBe(0);
    const balance = (await t.db.query('SELECT balance::int AS b FROM accounts WHERE id = $1', [acct.id])) as Array<{ b: number }>;
    expect(balance[0]!.b).toBe(5);
    const health = await call(t.url, 'GET', '/health');
    expect([health.status, health.body]).toEqual([503, { status: 'degraded', database: true, redis: false }]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, startApp, type TestApp } from './support/app.js';

const body = { url: 'http://127.0.0.1:9/video.mp4' };

describe('HTTP contract: auth, problem details, isolation, keys, rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ RATE_LIMITS: JSON.stringify({ account: { minute: 3, hour: 100 } }) }, false);
  });
  afterAll(async () => t.close());

  it('401 missing_api_key and invalid_api_key as problem+json', async () => {
    const none = await call(t.url, 'GET', '/v1/account');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body).toMatchObject({ status: 401, code: 'missing_api_key', type: 'urn:mediary:error:missing_api_key' });
    const bad = await call(t.url, 'GET', '/v1/account', { key: 'mdy_live_not-a-real-key' });
    expect(bad.body.code).toBe('invalid_api_key');
    const basic = await call(t.url, 'GET', '/v1/account', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect([basic.status, basic.body.code]).toEqual([401, 'invalid_api_key']);
  });

  it('accepts X-API-Key as well as Bearer', async () => {
    const acct = await t.account(1);
    const res = await call(t.url, 'GET', '/v1/account', { headers: { 'x-api-key': acct.key } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: acct.id, balance: 1 });
  });

  it('402 carries required and available; nothing is charged', async () => {
    const acct = await t.account(1);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { ...body, format: 'flac' } });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 'insufficient_credits', required: 2, available: 1 });
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(1);
  });

  it('422 validation_failed lists every field, and never charges', async () => {
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', {
      key: acct.key,
      body: { url: 'not a url', quality: 'ultra', trim: { start: 5, end: 2 }, extra: true },
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    const fields = res.body.errors.map((e: any) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['url', 'quality', 'extra']));
    const crossField = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { ...body, trim: { start: 5, end: 2 } } });
    expect(crossField.body.errors).toEqual([{ field: 'trim.end', message: 'trim.end must be greater than trim.start' }]);
    const badJson = await fetch(`${t.url}/v1/download`, {
      method: 'POST',
      headers: { authorization: `Bearer ${acct.key}`, 'content-type': 'application/json' },
      body: '{"url": ',
    });
    expect(badJson.status).toBe(422);
    expect(((await badJson.json()) as { code: string }).code).toBe('validation_failed');
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(5);
  });

  it('404 not_found for unknown jobs, malformed ids and unknown routes', async () => {
    const acct = await t.account(0);
    for (const route of ['/v1/jobs/00000000-0000-4000-8000-000000000000', '/v1/jobs/nope', '/v1/nothing-here']) {
      const res = await call(t.url, 'GET', route, { key: acct.key });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });

  it("one account never sees another's jobs or keys", async () => {
    const alice = await t.account(5);
    const mallory = await t.account(5);
    const job = await call(t.url, 'POST', '/v1/download', { key: alice.key, body });
    expect((await call(t.url, 'GET', `/v1/jobs/${job.body.job_id}`, { key: mallory.key })).status).toBe(404);
    expect((await call(t.url, 'DELETE', `/v1/jobs/${job.body.job_id}`, { key: mallory.key })).status).toBe(404);
    expect((await call(t.url, 'GET', '/v1/jobs', { key: mallory.key })).body.data).toEqual([]);
    const aliceKeys = await call(t.url, 'GET', '/v1/keys', { key: alice.key });
    const keyId = aliceKeys.body.data[0].id;
    expect((await call(t.url, 'DELETE', `/v1/keys/${keyId}`, { key: mallory.key })).status).toBe(404);
    expect((await call(t.url, 'GET', '/v1/account', { key: alice.key })).status).toBe(200);
    expect((await call(t.url, 'GET', `/v1/jobs/${job.body.job_id}`, { key: alice.key })).body.status).toBe('pending');
  });

  it('mints a key shown once, lists prefix and last 4 only, and revokes it', async () => {
    const acct = await t.account(0);
    const minted = await call(t.url, 'POST', '/v1/keys', { key: acct.key, body: { name: 'ci' } });
    expect(minted.status).toBe(201);
    expect(minted.body.key).toMatch(/^mdy_live_[A-Za-z0-9_-]{32}$/);
    const listed = await call(t.url, 'GET', '/v1/keys', { key: minted.body.key });
    expect(JSON.stringify(listed.body)).not.toContain(minted.body.key);
    expect(listed.body.data.find((k: any) => k.id === minted.body.id)).toMatchObject({ prefix: 'mdy_live_', last4: minted.body.key.slice(-4) });
    const stored = (await t.db.query('SELECT key_hash FROM api_keys WHERE id = $1', [minted.body.id])) as Array<{ key_hash: Buffer }>;
    expect(stored[0]!.key_hash.length).toBe(32);
    const revoked = await call(t.url, 'DELETE', `/v1/keys/${minted.body.id}`, { key: acct.key });
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await call(t.url, 'GET', '/v1/account', { key: minted.body.key })).body.code).toBe('invalid_api_key');
  });

  it('lists jobs newest first with filters and a cursor', async () => {
    const acct = await t.account(10);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call(t.url, 'POST', '/v1/download', { key: acct.key, body })).body.job_id);
    const p1 = await call(t.url, 'GET', '/v1/jobs?limit=2&status=pending&type=download', { key: acct.key });
    expect(p1.body.data.map((j: any) => j.id)).toEqual([ids[2], ids[1]]);
    const p2 = await call(t.url, 'GET', `/v1/jobs?limit=2&cursor=${p1.body.next_cursor}`, { key: acct.key });
    expect(p2.body.data.map((j: any) => j.id)).toEqual([ids[0]]);
    expect(p2.body.next_cursor).toBeNull();
    const none = await call(t.url, 'GET', '/v1/jobs?status=completed', { key: acct.key });
    expect(none.body.data).toEqual([]);
    const bad = await call(t.url, 'GET', '/v1/jobs?status=exploded', { key: acct.key });
    expect(bad.status).toBe(422);
  });

  it('rate limits per account (not per key) with headers and Retry-After', async () => {
    // Four requests against a limit of 3 a minute, from two keys of one account.
    const burst = async () => {
      const acct = await t.account(0);
      const second = (await call(t.url, 'POST', '/v1/keys', { key: acct.key, body: {} })).body.key as string;
      const a = await call(t.url, 'POST', '/v1/keys', { key: second, body: {} });
      await call(t.url, 'POST', '/v1/keys', { key: acct.key, body: {} });
      const limited = await call(t.url, 'POST', '/v1/keys', { key: second, body: {} });
      return { acct, a, limited };
    };
    // The minute window is the clock's minute (the server runs on this machine's clock): a burst
    // that straddles a minute change starts counting again. Run it again on a fresh account then;
    // two short bursts in a row cannot both straddle one.
    const minute = () => Math.floor(Date.now() / 60_000);
    let run: Awaited<ReturnType<typeof burst>>;
    for (let tries = 1; ; tries++) {
      const startedIn = minute();
      run = await burst();
      if (minute() === startedIn) break;
      if (tries === 2) throw new Error('the minute changed during both bursts');
    }
    const { acct, a, limited } = run;
    expect(a.headers.get('x-ratelimit-limit')).toBe('3');
    expect(a.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    // Other endpoint classes have their own budget.
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).status).toBe(200);
  });

  it('exposes Prometheus metrics with request latency by route and charged credits', async () => {
    const acct = await t.account(2);
    await call(t.url, 'POST', '/v1/download', { key: acct.key, body });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toMatch(/mediary_http_request_duration_seconds_count\{method="POST",route="\/v1\/download",status="202"\} [1-9]/);
    expect(text).toMatch(/mediary_credits_charged_total\{operation="download"\} [1-9]/);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('reports health', async () => {
    const res = await call(t.url, 'GET', '/health');
    expect(res.body).toEqual({ status: 'ok', database: true, redis: true });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, media, startApp, type TestApp } from './support/app.js';

// Workers off: jobs stay pending, so what is charged and refunded is only what the test does.
describe('GET /v1/account/usage', () => {
  let t: TestApp;
  let acct: { id: string; key: string };

  beforeAll(async () => {
    t = await startApp({ INFO_CACHE_TTL_SECONDS: '0' }, false);
    acct = await t.account(1000);
    const submit = (route: string, body: unknown) => call(t.url, 'POST', route, { key: acct.key, body });
    const downloads = [];
    for (let i = 0; i < 4; i++) downloads.push((await submit('/v1/download', { url: `http://127.0.0.1:9/v${i}.mp4` })).body.job_id as string); // 1 each
    for (let i = 0; i < 3; i++) downloads.push((await submit('/v1/download', { url: `http://127.0.0.1:9/a${i}.mp4`, format: 'mp3' })).body.job_id as string); // 2 each
    const fingerprints = [];
    for (let i = 0; i < 2; i++) fingerprints.push((await submit('/v1/fingerprint', { url: `http://127.0.0.1:9/p${i}.mp4` })).body.job_id as string);
    expect([...downloads, ...fingerprints].every(Boolean)).toBe(true);
    for (let i = 0; i < 2; i++) expect((await call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(media('direct.mp4'))}`, { key: acct.key })).status).toBe(200);
    // Canceled while pending: refunded in full.
    await call(t.url, 'DELETE', `/v1/jobs/${downloads[4]}`, { key: acct.key });
    await call(t.url, 'DELETE', `/v1/jobs/${fingerprints[0]}`, { key: acct.key });
    // What the worker would have found out: the site of some of them.
    await t.db.query(`UPDATE jobs SET platform = 'vimeo' WHERE id = ANY($1)`, [[downloads[0], downloads[1], fingerprints[1]]]);
    await t.db.query(`UPDATE jobs SET platform = 'youtube' WHERE id = $1`, [downloads[5]]);
    // Another account's spending never shows.
    const other = await t.account(50);
    await call(t.url, 'POST', '/v1/download', { key: other.key, body: { url: 'http://127.0.0.1:9/x.mp4' } });
  });
  afterAll(async () => t.close());

  /** The account's charges and refunds as its ledger has them, by operation (job type, or the request's reason). */
  async function fromLedger(): Promise<Record<string, { charged: number; refunded: number }>> {
    const rows = (await t.db.query(
      `SELECT coalesce(j.type, e.reason) AS op,
              sum(CASE WHEN e.kind = 'charge' THEN -e.amount ELSE 0 END)::int AS charged,
              sum(CASE WHEN e.kind = 'refund' THEN e.amount ELSE 0 END)::int AS refunded
       FROM ledger_entries e LEFT JOIN jobs j ON j.id = e.job_id
       WHERE e.account_id = $1 AND e.kind IN ('charge', 'refund') GROUP BY 1`,
      [acct.id],
    )) as Array<{ op: string; charged: number; refunded: number }>;
    return Object.fromEntries(rows.map((r) => [r.op, { charged: r.charged, refunded: r.refunded }]));
  }

  it('by operation, equals the sums of the ledger', async () => {
    const res = await call(t.url, 'GET', '/v1/account/usage?group_by=operation', { key: acct.key });
    expect(res.status).toBe(200);
    const ledger = await fromLedger();
    expect(res.body.data).toEqual([
      { operation: 'download', jobs: 7, credits_charged: ledger.download!.charged, credits_refunded: ledger.download!.refunded, credits_net: ledger.download!.charged - ledger.download!.refunded },
      { operation: 'fingerprint', jobs: 2, credits_charged: ledger.fingerprint!.charged, credits_refunded: ledger.fingerprint!.refunded, credits_net: ledger.fingerprint!.charged - ledger.fingerprint!.refunded },
      { operation: 'info', jobs: 0, credits_charged: ledger.info!.charged, credits_refunded: 0, credits_net: ledger.info!.charged },
    ]);
    expect(ledger.download).toEqual({ charged: 10, refunded: 2 });
    expect(ledger.info).toEqual({ charged: 2, refunded: 0 });
    expect(ledger.fingerprint).toEqual({ charged: 2, refunded: 1 });
    expect(res.body.totals).toEqual({ jobs: 9, credits_charged: 14, credits_refunded: 3, credits_net: 11 });
    // And the balance moved by exactly the net.
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(1000 - 11);
  });

  it('by platform and by day, with the same totals', async () => {
    const byPlatform = await call(t.url, 'GET', '/v1/account/usage?group_by=platform', { key: acct.key });
    expect(byPlatform.body.data).toEqual([
      { platform: 'vimeo', jobs: 3, credits_charged: 3, credits_refunded: 0, credits_net: 3 },
      { platform: 'youtube', jobs: 1, credits_charged: 2, credits_refunded: 0, credits_net: 2 },
      { platform: null, jobs: 5, credits_charged: 9, credits_refunded: 3, credits_net: 6 },
    ]);
    const byDay = await call(t.url, 'GET', '/v1/account/usage', { key: acct.key });
    expect(byDay.body.group_by).toBe('day');
    const today = new Date().toISOString().slice(0, 10);
    expect(byDay.body.data).toEqual([{ day: today, jobs: 9, credits_charged: 14, credits_refunded: 3, credits_net: 11 }]);
    expect(byPlatform.body.totals).toEqual(byDay.body.totals);
  });

  it('counts only the range asked for', async () => {
    const past = await call(t.url, 'GET', '/v1/account/usage?from=2020-01-01&to=2020-02-01', { key: acct.key });
    expect(past.body).toMatchObject({ from: '2020-01-01T00:00:00.000Z', to: '2020-02-01T00:00:00.000Z', data: [], totals: { jobs: 0, credits_charged: 0, credits_refunded: 0, credits_net: 0 } });
    const from = new Date(Date.now() - 3600_000).toISOString();
    const recent = await call(t.url, 'GET', `/v1/account/usage?group_by=operation&from=${from}`, { key: acct.key });
    expect(recent.body.totals.credits_net).toBe(11);
  });

  it('refuses a backwards, too long or malformed range with 422', async () => {
    for (const q of ['from=2026-02-01&to=2026-01-01', 'from=2020-01-01&to=2026-01-01', 'from=yesterday', 'group_by=hour']) {
      const res = await call(t.url, 'GET', `/v1/account/usage?${q}`, { key: acct.key });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('validation_failed');
    }
  });
});

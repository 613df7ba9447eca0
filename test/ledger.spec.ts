import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AccountRepository } from '../src/core/accounts/account.repository.js';
import { ChargesRepository } from '../src/core/ledger/charges.repository.js';
import { JobSettlementRepository } from '../src/core/ledger/job-settlement.repository.js';
import { call, startApp, type TestApp } from './support/app.js';

// Workers off: jobs stay pending, so the race is only between charges.
describe('credit ledger against the real database', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, false);
  });
  afterAll(async () => t.close());

  const body = { url: 'http://127.0.0.1:9/video.mp4' };

  it('200 concurrent requests against a balance of 50 create exactly 50 jobs', async () => {
    const acct = await t.account(50);
    const replies = await Promise.all(
      Array.from({ length: 200 }, () => call(t.url, 'POST', '/v1/download', { key: acct.key, body })),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(50);
    expect(statuses.filter((s) => s === 402)).toHaveLength(150);
    const refused = replies.find((r) => r.status === 402)!;
    expect(refused.body).toMatchObject({ code: 'insufficient_credits', required: 1, available: 0 });
    const account = await call(t.url, 'GET', '/v1/account', { key: acct.key });
    expect(account.body.balance).toBe(0);
    expect(await t.app.get(AccountRepository).ledgerSum(acct.id)).toBe(0);
    const jobs = (await t.db.query('SELECT count(*)::int AS n FROM jobs WHERE account_id = $1', [acct.id])) as Array<{ n: number }>;
    expect(jobs[0]!.n).toBe(50);
  });

  it('an Idempotency-Key replay returns the first response and charges once', async () => {
    const acct = await t.account(10);
    const headers = { 'idempotency-key': 'order-123' };
    const first = await call(t.url, 'POST', '/v1/download', { key: acct.key, body, headers });
    const again = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { ...body }, headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const account = await call(t.url, 'GET', '/v1/account', { key: acct.key });
    expect(account.body.balance).toBe(9);
  });

  it('concurrent requests with one Idempotency-Key charge once and agree on the job', async () => {
    const acct = await t.account(10);
    const headers = { 'idempotency-key': 'burst' };
    const replies = await Promise.all(Array.from({ length: 20 }, () => call(t.url, 'POST', '/v1/download', { key: acct.key, body, headers })));
    expect(new Set(replies.map((r) => r.body.job_id)).size).toBe(1);
    expect(replies.every((r) => r.status === 202)).toBe(true);
    const account = await call(t.url, 'GET', '/v1/account', { key: acct.key });
    expect(account.body.balance).toBe(9);
  });

  it('the same key with another body is a 409 conflict and charges nothing', async () => {
    const acct = await t.account(10);
    const headers = { 'idempotency-key': 'k1' };
    await call(t.url, 'POST', '/v1/download', { key: acct.key, body, headers });
    const other = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { ...body, format: 'webm' }, headers });
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(other.body.code).toBe('conflict');
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(9);
  });

  it('keys are per account: another account may reuse the same Idempotency-Key', async () => {
    const a = await t.account(5);
    const b = await t.account(5);
    const headers = { 'idempotency-key': 'shared' };
    const ra = await call(t.url, 'POST', '/v1/download', { key: a.key, body, headers });
    const rb = await call(t.url, 'POST', '/v1/download', { key: b.key, body, headers });
    expect(ra.body.job_id).not.toEqual(rb.body.job_id);
  });

  it('canceling a pending job refunds it once, with an entry naming the job', async () => {
    const acct = await t.account(3);
    const job = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { ...body, format: 'mp3' } });
    expect(job.body.credits_charged).toBe(2);
    const first = await call(t.url, 'DELETE', `/v1/jobs/${job.body.job_id}`, { key: acct.key });
    await call(t.url, 'DELETE', `/v1/jobs/${job.body.job_id}`, { key: acct.key });
    expect(first.body).toMatchObject({ status: 'canceled', credits_refunded: 2 });
    const ledger = await call(t.url, 'GET', '/v1/account/ledger', { key: acct.key });
    expect(ledger.body.data.filter((e: any) => e.kind === 'refund')).toEqual([
      expect.objectContaining({ amount: 2, job_id: job.body.job_id, balance_after: 3 }),
    ]);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(3);
  });

  const TRANSCRIPT = { language: 'en', source: 'asr', provider: 'local', duration: 180, text: 'x', segments: [{ start: 0, end: 1, text: 'x' }], format: 'json', reused: false, metadata: null };
  it('settles a reservation at completion: the unused part is refunded once, in the same transaction', async () => {
    const acct = await t.account(20);
    const settlement = t.app.get(JobSettlementRepository);
    const id = randomUUID();
    await t.app.get(ChargesRepository).chargeJob({ id, accountId: acct.id, type: 'transcribe', input: {}, price: 12 }, null, { statusCode: 202, body: {} });
    await t.db.query(`UPDATE jobs SET status = 'processing' WHERE id = $1`, [id]);
    // The work cost 3 of the 12 reserved.
    expect(await settlement.complete(id, { result: TRANSCRIPT, outputs: [], cost: 3 }, new Date(Date.now() + 60_000))).toMatchObject({ id, status: 'completed', creditsRefunded: 9 });
    expect(await settlement.complete(id, { result: TRANSCRIPT, outputs: [], cost: 3 }, new Date(Date.now() + 60_000))).toBeNull();
    const job = await call(t.url, 'GET', `/v1/jobs/${id}`, { key: acct.key });
    expect(job.body).toMatchObject({ status: 'completed', credits_charged: 12, credits_refunded: 9 });
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(17);
    expect(await t.app.get(AccountRepository).ledgerSum(acct.id)).toBe(17);
  });

  it('the ledger is append-only and the balance can never go negative', async () => {
    const acct = await t.account(1);
    await expect(t.db.query('UPDATE ledger_entries SET amount = 1000 WHERE account_id = $1', [acct.id])).rejects.toThrow(/append-only/);
    await expect(t.db.query('DELETE FROM ledger_entries WHERE account_id = $1', [acct.id])).rejects.toThrow(/append-only/);
    await expect(t.db.query('UPDATE accounts SET balance = -1 WHERE id = $1', [acct.id])).rejects.toThrow(/balance_not_negative/);
  });

  it('pages through the ledger with a cursor', async () => {
    const acct = await t.account(10);
    for (let i = 0; i < 3; i++) await call(t.url, 'POST', '/v1/download', { key: acct.key, body });
    const p1 = await call(t.url, 'GET', '/v1/account/ledger?limit=2', { key: acct.key });
    expect(p1.body.data).toHaveLength(2);
    const p2 = await call(t.url, 'GET', `/v1/account/ledger?limit=2&cursor=${p1.body.next_cursor}`, { key: acct.key });
    expect(p2.body.data.map((e: any) => e.kind)).toEqual(['charge', 'grant']);
    expect(p2.body.next_cursor).toBeNull();
    const bad = await call(t.url, 'GET', '/v1/account/ledger?cursor=nope', { key: acct.key });
    expect(bad.status).toBe(422);
  });
});

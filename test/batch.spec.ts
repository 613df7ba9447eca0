import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AccountRepository } from '../src/core/accounts/account.repository.js';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { recordWebhook } from './support/contract.js';
import { waitOut, waitUntil } from './support/processes.js';

describe('POST /v1/batch: charging (workers off)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, false);
  });
  afterAll(async () => t.close());

  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `http://127.0.0.1:9/video-${i}.mp4` }));

  it('charges 100 items once, in one transaction, with a ledger entry per job', async () => {
    const acct = await t.account(250);
    const res = await call(t.url, 'POST', '/v1/batch', {
      key: acct.key,
      body: { operation: 'download', items: [...items(99), { url: 'http://127.0.0.1:9/a.mp4', format: 'mp3' }] },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'processing', total: 100, credits_charged: 101 });
    expect(res.body.job_ids).toHaveLength(100);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(149);
    expect(await t.app.get(AccountRepository).ledgerSum(acct.id)).toBe(149);
    const charges = (await t.db.query(
      `SELECT count(*)::int AS n, count(DISTINCT job_id)::int AS jobs, min(balance_after)::int AS lowest FROM ledger_entries WHERE account_id = $1 AND kind = 'charge'`,
      [acct.id],
    )) as Array<{ n: number; jobs: number; lowest: number }>;
    expect(charges[0]).toEqual({ n: 100, jobs: 100, lowest: 149 });
    const batch = await call(t.url, 'GET', `/v1/batch/${res.body.batch_id}`, { key: acct.key });
    expect(batch.body.summary).toEqual({ total: 100, succeeded: 0, failed: 0, canceled: 0, processing: 100 });
    expect(batch.body.jobs[99]).toMatchObject({ id: res.body.job_ids[99], batch_id: res.body.batch_id, credits_charged: 2 });
  });

  it('refuses the whole batch with 402 when credits are short, creating nothing', async () => {
    const acct = await t.account(10);
    const res = await call(t.url, 'POST', '/v1/batch', { key: acct.key, body: { operation: 'download', items: items(11) } });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 'insufficient_credits', required: 11, available: 10 });
    const jobs = (await t.db.query('SELECT count(*)::int AS n FROM jobs WHERE account_id = $1', [acct.id])) as Array<{ n: number }>;
    expect(jobs[0]!.n).toBe(0);
  });

  it('validates every item before charging: over the limit, a bad item, defaults applied', async () => {
    const acct = await t.account(500);
    const tooMany = await call(t.url, 'POST', '/v1/batch', { key: acct.key, body: { operation: 'download', items: items(101) } });
    expect([tooMany.status, tooMany.body.code]).toEqual([422, 'validation_failed']);
    const bad = await call(t.url, 'POST', '/v1/batch', {
      key: acct.key,
      body: { operation: 'download', items: [...items(3), { url: 'not a url' }, { url: 'http://127.0.0.1:9/x', quality: 'huge' }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: any) => e.field)).toEqual(['items[3].url', 'items[4].quality']);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(500);
    const withDefaults = await call(t.url, 'POST', '/v1/batch', {
      key: acct.key,
      body: { operation: 'download', defaults: { format: 'mp3' }, items: [{ url: 'http://127.0.0.1:9/a' }, { url: 'http://127.0.0.1:9/b', format: 'm4a' }] },
    });
    expect(withDefaults.body.credits_charged).toBe(3);
    const other = await t.account(0);
    expect((await call(t.url, 'GET', `/v1/batch/${withDefaults.body.batch_id}`, { key: other.key })).status).toBe(404);
  });
});

const RETRY_WINDOW_MS = 2500;

describe('a batch with workers: partial failure, refunds, batch.completed', () => {
  let t: TestApp;
  let server: http.Server;
  const got: Array<{ body: string; headers: http.IncomingHttpHeaders }> = [];
  let hook: string;
  const pendingDeliveries = async (accountId: string) =>
    ((await t.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE account_id = $1 AND status = 'pending'`, [accountId])) as Array<{ n: number }>)[0]!.n;
  beforeAll(async () => {
    // Webhook retries 1 s apart (±20 % jitter), so a retry window is short enough to wait out.
    t = await startApp({ WORKER_CONCURRENCY: '4', WEBHOOK_RETRY_SCHEDULE: '1,1' });
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ body, headers: req.headers });
        recordWebhook(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/batch`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await t.close();
  });

  it('completes with a summary; failed items are refunded; batch.completed is signed and sent once', async () => {
    const acct = await t.account(10);
    const res = await call(t.url, 'POST', '/v1/batch', {
      key: acct.key,
      body: {
        operation: 'download',
        webhook_url: hook,
        items: [{ url: media('second.mp4') }, { url: media('gone-1.mp4') }, { url: media('second.mp4'), format: 'm4a' }, { url: media('gone-2.mp4') }],
      },
    });
    expect(res.status).toBe(202);
    for (const id of res.body.job_ids) await waitForJob(t.url, acct.key, id);
    const batchCompleted = () => got.filter((g) => g.body.includes(res.body.batch_id) && JSON.parse(g.body).type === 'batch.completed');
    await waitUntil(() => batchCompleted().length > 0, 15_000, 'batch.completed');
    // Once means once: with nothing left pending and a retry window later, still one request
    // and one recorded delivery.
    await waitUntil(async () => (await pendingDeliveries(acct.id)) === 0, 15_000, 'the pending deliveries');
    await waitOut(RETRY_WINDOW_MS);
    const batch = await call(t.url, 'GET', `/v1/batch/${res.body.batch_id}`, { key: acct.key });
    expect(batch.body).toMatchObject({ status: 'completed', summary: { total: 4, succeeded: 2, failed: 2, canceled: 0, processing: 0 }, credits_charged: 4, credits_refunded: 2 });
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(8);
    const deliveries = batchCompleted();
    expect(deliveries).toHaveLength(1);
    const recorded = (await t.db.query(
      `SELECT count(*)::int AS n FROM webhook_deliveries WHERE account_id = $1 AND event_type = 'batch.completed'`,
      [acct.id],
    )) as Array<{ n: number }>;
    expect(recorded[0]!.n).toBe(1);
    const secret = (await call(t.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body.secret;
    const payload = new Webhook(secret).verify(deliveries[0]!.body, deliveries[0]!.headers as Record<string, string>) as any;
    expect(payload.data).toMatchObject({ id: res.body.batch_id, status: 'completed', summary: { succeeded: 2, failed: 2 } });
  });
});

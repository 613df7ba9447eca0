import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountRepository } from '../src/core/accounts/account.repository.js';
import { ChargesRepository } from '../src/core/ledger/charges.repository.js';
import { JobSettlementRepository } from '../src/core/ledger/job-settlement.repository.js';
import { call, startApp, type TestApp } from './support/app.js';
import { startSecondApi } from './support/processes.js';

// Workers off: jobs stay pending, so what is counted is only what the requests charged.
describe('scoped API keys and monthly credit limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, false);
  });
  afterAll(async () => t.close());

  const download = { url: 'http://127.0.0.1:9/video.mp4' };

  async function mint(key: string, body: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const r = await call(t.url, 'POST', '/v1/keys', { key, body });
    expect(r.status).toBe(201);
    return { id: r.body.id, key: r.body.key };
  }

  async function listed(key: string, id: string): Promise<Record<string, unknown>> {
    const r = await call(t.url, 'GET', '/v1/keys', { key });
    return r.body.data.find((k: { id: string }) => k.id === id);
  }

  async function ledgerHolds(accountId: string, key: string): Promise<number> {
    const balance = (await call(t.url, 'GET', '/v1/account', { key })).body.balance as number;
    expect(await t.app.get(AccountRepository).ledgerSum(accountId)).toBe(balance);
    return balance;
  }

  it('a key does only what its scopes allow, and says which scope is missing', async () => {
    const acct = await t.account(10);
    const reader = await mint(acct.key, { name: 'dashboard', scopes: ['jobs:read'] });

    expect(await listed(acct.key, reader.id)).toMatchObject({ name: 'dashboard', scopes: ['jobs:read'], monthly_credit_limit: null, spent_this_month: 0 });
    // Keys minted without scopes hold all of them.
    expect((await call(t.url, 'GET', '/v1/keys', { key: acct.key })).body.data[0].scopes).toEqual([
      'jobs:write', 'jobs:read', 'account:read', 'keys:manage', 'billing',
    ]);

    expect((await call(t.url, 'GET', '/v1/jobs', { key: reader.key })).status).toBe(200);
    const refusals: Array<[string, string, string, unknown?]> = [
      ['POST', '/v1/download', 'jobs:write', download],
      ['GET', `/v1/info?url=${encodeURIComponent(download.url)}`, 'jobs:write'],
      ['GET', '/v1/account', 'account:read'],
      ['GET', '/v1/account/usage', 'account:read'],
      ['GET', '/v1/keys', 'keys:manage'],
      ['POST', '/v1/keys', 'keys:manage', {}],
      ['GET', '/v1/webhooks/endpoint', 'keys:manage'],
      ['GET', '/v1/billing/payments', 'billing'],
    ];
    for (const [method, route, scope, body] of refusals) {
      const r = await call(t.url, method, route, { key: reader.key, body });
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({ code: 'forbidden', scope });
      expect(r.body.detail).toContain(scope);
    }
    // Nothing was charged by the refused download and info.
    expect(await ledgerHolds(acct.id, acct.key)).toBe(10);
  });

  it('a key cannot mint a key wider than itself', async () => {
    const acct = await t.account(10);
    const admin = await mint(acct.key, { scopes: ['keys:manage', 'jobs:read'], monthly_credit_limit: 10 });

    const wider = await call(t.url, 'POST', '/v1/keys', { key: admin.key, body: { scopes: ['keys:manage', 'jobs:write'], monthly_credit_limit: 5 } });
    expect(wider.status).toBe(403);
    expect(wider.body).toMatchObject({ code: 'forbidden', scope: 'jobs:write' });
    // Omitting scopes asks for all of them.
    expect((await call(t.url, 'POST', '/v1/keys', { key: admin.key, body: { monthly_credit_limit: 5 } })).body).toMatchObject({ code: 'forbidden' });
    const unlimited = await call(t.url, 'POST', '/v1/keys', { key: admin.key, body: { scopes: ['jobs:read'] } });
    expect(unlimited.status).toBe(403);
    expect(unlimited.body.detail).toContain('10 credits');
    expect((await call(t.url, 'POST', '/v1/keys', { key: admin.key, body: { scopes: ['jobs:read'], monthly_credit_limit: 11 } })).status).toBe(403);

    const narrower = await call(t.url, 'POST', '/v1/keys', { key: admin.key, body: { scopes: ['jobs:read'], monthly_credit_limit: 10 } });
    expect(narrower.status).toBe(201);
    expect(narrower.body).toMatchObject({ scopes: ['jobs:read'], monthly_credit_limit: 10, spent_this_month: 0 });
    expect(narrower.body.key).toMatch(/^mdy_live_/);
  });

  it('PATCH changes a key’s name, scopes and limit at once, in every API process, and never beyond the key asking', async () => {
    const acct = await t.account(10);
    const other = await startSecondApi(t.env);
    try {
      const ci = await mint(acct.key, { name: 'ci', scopes: ['jobs:read', 'account:read'] });
      const patch = (key: string, id: string, body: unknown) => call(t.url, 'PATCH', `/v1/keys/${id}`, { key, body });
      // Both processes have authenticated the key, and keep its scopes in their caches.
      for (const base of [t.url, other.base]) expect((await call(base, 'GET', '/v1/account', { key: ci.key })).status).toBe(200);

      const narrowed = await patch(acct.key, ci.id, { name: 'ci-2', scopes: ['jobs:read'], monthly_credit_limit: 3 });
      expect([narrowed.status, narrowed.body]).toEqual([200, expect.objectContaining({ id: ci.id, name: 'ci-2', scopes: ['jobs:read'], monthly_credit_limit: 3 })]);
      for (const base of [t.url, other.base]) {
        const r = await call(base, 'GET', '/v1/account', { key: ci.key });
        expect([base, r.status, r.body.code, r.body.scope]).toEqual([base, 403, 'forbidden', 'account:read']);
      }
      // What is left out stays; null takes the limit away.
      expect((await patch(acct.key, ci.id, { monthly_credit_limit: null })).body).toMatchObject({ name: 'ci-2', scopes: ['jobs:read'], monthly_credit_limit: null });
      expect((await patch(acct.key, ci.id, {})).body).toMatchObject({ name: 'ci-2', scopes: ['jobs:read'], monthly_credit_limit: null });

      // A key that manages keys cannot widen itself or another beyond what it holds.
      const manager = await mint(acct.key, { scopes: ['keys:manage', 'jobs:read'], monthly_credit_limit: 10 });
      const refusals: Array<[string, unknown, string | undefined]> = [
        [manager.id, { scopes: ['keys:manage', 'billing'] }, 'billing'],
        [ci.id, { scopes: ['jobs:write'] }, 'jobs:write'],
        [ci.id, { monthly_credit_limit: null }, undefined],
        [ci.id, { monthly_credit_limit: 11 }, undefined],
        [manager.id, { monthly_credit_limit: 1000 }, undefined],
      ];
      for (const [id, body, scope] of refusals) {
        const r = await patch(manager.key, id, body);
        expect([JSON.stringify(body), r.status, r.body.code, r.body.scope]).toEqual([JSON.stringify(body), 403, 'forbidden', scope]);
      }
      expect((await listed(acct.key, manager.id)).scopes).toEqual(['jobs:read', 'keys:manage']);
      expect((await patch(manager.key, ci.id, { monthly_credit_limit: 5 })).body).toMatchObject({ monthly_credit_limit: 5, scopes: ['jobs:read'] });
      // Narrowing is allowed, its own key included.
      expect((await patch(manager.key, manager.id, { scopes: ['keys:manage'] })).body).toMatchObject({ scopes: ['keys:manage'] });

      // Another account's key, a revoked key and a malformed id are not found; bad values are named.
      const stranger = await t.account(1);
      expect((await patch(stranger.key, ci.id, { name: 'mine' })).status).toBe(404);
      expect((await patch(acct.key, 'not-a-uuid', { name: 'x' })).status).toBe(404);
      for (const [body, field] of [[{ scopes: ['root'] }, 'scopes'], [{ scopes: [] }, 'scopes'], [{ monthly_credit_limit: -1 }, 'monthly_credit_limit'], [{ name: 'x'.repeat(101) }, 'name']] as const) {
        const r = await patch(acct.key, ci.id, body);
        expect([r.status, r.body.code]).toEqual([422, 'validation_failed']);
        expect((r.body.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
      }
      expect((await call(t.url, 'DELETE', `/v1/keys/${ci.id}`, { key: acct.key })).status).toBe(200);
      expect((await patch(acct.key, ci.id, { name: 'back' })).status).toBe(404);
      expect((await listed(acct.key, ci.id)).name).toBe('ci-2');
    } finally {
      await other.stop();
    }
  }, 60_000);

  it('refuses unknown, repeated or empty scopes and limits that are not whole numbers ≥ 0', async () => {
    const acct = await t.account(0);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ scopes: ['jobs:delete'] }, 'scopes'],
      [{ scopes: [] }, 'scopes'],
      [{ scopes: ['jobs:read', 'jobs:read'] }, 'scopes'],
      [{ scopes: 'jobs:read' }, 'scopes'],
      [{ monthly_credit_limit: -1 }, 'monthly_credit_limit'],
      [{ monthly_credit_limit: 1.5 }, 'monthly_credit_limit'],
      [{ monthly_credit_limit: '10' }, 'monthly_credit_limit'],
      [{ monthly_credit_limit: 2 ** 31 }, 'monthly_credit_limit'],
    ];
    for (const [body, field] of bad) {
      const r = await call(t.url, 'POST', '/v1/keys', { key: acct.key, body });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('validation_failed');
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const keys = await call(t.url, 'GET', '/v1/keys', { key: acct.key });
    expect(keys.body.data).toHaveLength(1);
  });

  it('30 concurrent requests on a key limited to 5 credits a month charge exactly 5; other keys are not capped', async () => {
    const acct = await t.account(100);
    const capped = await mint(acct.key, { scopes: ['jobs:write', 'jobs:read'], monthly_credit_limit: 5 });
    const replies = await Promise.all(Array.from({ length: 30 }, () => call(t.url, 'POST', '/v1/download', { key: capped.key, body: download })));
    expect(replies.filter((r) => r.status === 202)).toHaveLength(5);
    const refused = replies.filter((r) => r.status === 402);
    expect(refused).toHaveLength(25);
    expect(refused[0]!.body).toMatchObject({ code: 'key_limit_reached', limit: 5, spent: 5 });

    expect(await ledgerHolds(acct.id, acct.key)).toBe(95);
    expect(await listed(acct.key, capped.id)).toMatchObject({ monthly_credit_limit: 5, spent_this_month: 5 });
    // The account's own key has no limit.
    expect((await call(t.url, 'POST', '/v1/download', { key: acct.key, body: download })).status).toBe(202);
    expect(await ledgerHolds(acct.id, acct.key)).toBe(94);
  });

  it('a refunded job gives its credits back to the key’s month; a charge the balance refuses counts nothing', async () => {
    const acct = await t.account(3);
    const capped = await mint(acct.key, { monthly_credit_limit: 2 });
    const first = await call(t.url, 'POST', '/v1/download', { key: capped.key, body: download });
    const second = await call(t.url, 'POST', '/v1/download', { key: capped.key, body: download });
    expect([first.status, second.status]).toEqual([202, 202]);
    expect((await call(t.url, 'POST', '/v1/download', { key: capped.key, body: download })).body.code).toBe('key_limit_reached');

    await t.app.get(JobSettlementRepository).end(first.body.job_id, 'failed', { code: 'upstream_failed', message: 'staged' });
    expect(await listed(acct.key, capped.id)).toMatchObject({ spent_this_month: 1 });
    expect(await ledgerHolds(acct.id, acct.key)).toBe(2);

    // Within the limit again: spends the refunded credit.
    expect((await call(t.url, 'POST', '/v1/download', { key: capped.key, body: download })).status).toBe(202);
    // The account's own key spends the last credit; the capped key, still under its limit after
    // another refund, is then refused for the balance, and that refusal is not counted.
    await t.app.get(JobSettlementRepository).end(second.body.job_id, 'canceled', null);
    expect((await call(t.url, 'POST', '/v1/download', { key: acct.key, body: download })).status).toBe(202);
    expect((await call(t.url, 'POST', '/v1/download', { key: acct.key, body: download })).status).toBe(202);
    const broke = await call(t.url, 'POST', '/v1/download', { key: capped.key, body: download, headers: { 'idempotency-key': 'after-refund' } });
    expect(broke.status).toBe(402);
    expect(broke.body.code).toBe('insufficient_credits');
    expect(await listed(acct.key, capped.id)).toMatchObject({ spent_this_month: 1 });
    expect(await ledgerHolds(acct.id, acct.key)).toBe(0);
  });

  it('a batch counts its whole price; a running job’s top-up stays within the key’s limit', async () => {
    const acct = await t.account(100);
    const capped = await mint(acct.key, { monthly_credit_limit: 4 });
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ url: `http://127.0.0.1:9/v${i}.mp4` }));
    const tooBig = await call(t.url, 'POST', '/v1/batch', { key: capped.key, body: { operation: 'download', items: items(5) } });
    expect(tooBig.status).toBe(402);
    expect(tooBig.body).toMatchObject({ code: 'key_limit_reached', limit: 4, spent: 0 });
    const batch = await call(t.url, 'POST', '/v1/batch', { key: capped.key, body: { operation: 'download', items: items(2) } });
    expect(batch.status).toBe(202);
    expect(await listed(acct.key, capped.id)).toMatchObject({ spent_this_month: 2 });

    // A per-minute job that turns out longer raises its charge at run time: within the cap only.
    const [jobId] = batch.body.job_ids as string[];
    await t.db.query(`UPDATE jobs SET status = 'processing' WHERE id = $1`, [jobId]);
    const charges = t.app.get(ChargesRepository);
    expect(await charges.topUp(jobId!, 4, 'longer than planned')).toBe(1);
    expect(await listed(acct.key, capped.id)).toMatchObject({ spent_this_month: 2 });
    expect(await charges.topUp(jobId!, 3, 'longer than planned')).toBe(3);
    expect(await listed(acct.key, capped.id)).toMatchObject({ spent_this_month: 4 });
    expect(await ledgerHolds(acct.id, acct.key)).toBe(96);
  });
});

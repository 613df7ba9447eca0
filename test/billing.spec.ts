import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { AccountRepository } from '../src/core/accounts/account.repository.js';
import { call, startApp, type TestApp } from './support/app.js';
import { startFakeStripe, type FakeStripe } from './support/stripe-server.js';

const SECRET = 'whsec_test_billing_secret';
const signer = new Stripe('sk_test_signer');
const PACKS = [
  { id: 'small', credits: 100, amount: 500, currency: 'usd', name: '100 credits' },
  { id: 'big', credits: 1000, amount: 4000, currency: 'eur', name: '1,000 credits' },
];

/** A webhook delivery as Stripe sends it: the JSON text and its Stripe-Signature, made by the SDK's own helper. */
function signed(event: Record<string, unknown>, opts: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(event);
  const header = signer.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? SECRET, timestamp: opts.timestamp });
  return { payload, header };
}

let eventSeq = 0;
const stripeEvent = (type: string, object: Record<string, unknown>, id = `evt_test_${Date.now()}_${eventSeq++}`) => ({
  id,
  object: 'event',
  api_version: '2025-01-01',
  created: Math.floor(Date.now() / 1000),
  type,
  data: { object },
});
const completed = (sessionId: string, paymentIntent: string, paymentStatus = 'paid') =>
  stripeEvent('checkout.session.completed', { id: sessionId, object: 'checkout.session', payment_status: paymentStatus, payment_intent: paymentIntent });

describe('billing: credit packs through Stripe Checkout', () => {
  let t: TestApp;
  let stripe: FakeStripe;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    t = await startApp(
      {
        STRIPE_SECRET_KEY: 'sk_test_mediary',
        STRIPE_WEBHOOK_SECRET: SECRET,
        STRIPE_API_BASE: stripe.base,
        CREDIT_PACKS: JSON.stringify(PACKS),
        BILLING_SUCCESS_URL: 'https://example.com/thanks',
        BILLING_CANCEL_URL: 'https://example.com/pricing',
      },
      false,
    );
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  const deliver = async (event: Record<string, unknown>, opts: { secret?: string; timestamp?: number; header?: string | null; body?: string } = {}) => {
    const { payload, header } = signed(event, opts);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.header !== null) headers['stripe-signature'] = opts.header ?? header;
    const res = await fetch(`${t.url}/v1/billing/stripe-webhook`, { method: 'POST', headers, body: opts.body ?? payload });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const balance = async (key: string) => (await call(t.url, 'GET', '/v1/account', { key })).body.balance as number;
  const ledgerSum = (accountId: string) => t.app.get(AccountRepository).ledgerSum(accountId);
  const checkout = async (key: string, packId = 'small', headers: Record<string, string> = {}) => {
    const res = await call(t.url, 'POST', '/v1/billing/checkout', { key, body: { pack_id: packId }, headers });
    expect(res.status).toBe(201);
    return res.body as { session_id: string; checkout_url: string };
  };
  const eventsCount = async () => ((await t.db.query('SELECT count(*)::int AS n FROM stripe_events')) as Array<{ n: number }>)[0]!.n;

  it('lists the packs on sale', async () => {
    const acct = await t.account(0);
    const res = await call(t.url, 'GET', '/v1/billing/packs', { key: acct.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: PACKS });
  });

  it('a checkout creates a Stripe session for the pack and records it before answering', async () => {
    const acct = await t.account(0);
    const before = stripe.calls.length;
    const res = await checkout(acct.key, 'big');
    expect(res.checkout_url).toContain(res.session_id);
    const sent = stripe.calls[before]!;
    expect(sent.path).toBe('/v1/checkout/sessions');
    expect(sent.authorization).toBe('Bearer sk_test_mediary');
    expect(sent.form.get('mode')).toBe('payment');
    expect(sent.form.get('client_reference_id')).toBe(acct.id);
    expect(sent.form.get('metadata[account_id]')).toBe(acct.id);
    expect(sent.form.get('metadata[pack_id]')).toBe('big');
    expect(sent.form.get('line_items[0][price_data][unit_amount]')).toBe('4000');
    expect(sent.form.get('line_items[0][price_data][currency]')).toBe('eur');
    expect(sent.form.get('success_url')).toBe('https://example.com/thanks');
    const payments = await call(t.url, 'GET', '/v1/billing/payments', { key: acct.key });
    expect(payments.body.data).toEqual([
      expect.objectContaining({ session_id: res.session_id, pack_id: 'big', credits: 1000, amount: 4000, currency: 'eur', status: 'open', paid_at: null }),
    ]);
    // Nothing is credited before Stripe says the pack is paid.
    expect(await balance(acct.key)).toBe(0);
  });

  it('a checkout repeated with an Idempotency-Key gets the same session, recorded once', async () => {
    const acct = await t.account(0);
    const headers = { 'idempotency-key': 'buy-1' };
    const [a, b] = await Promise.all([checkout(acct.key, 'small', headers), checkout(acct.key, 'small', headers)]);
    const c = await checkout(acct.key, 'small', headers);
    expect(b.session_id).toBe(a.session_id);
    expect(c).toEqual(a);
    const other = await call(t.url, 'POST', '/v1/billing/checkout', { key: acct.key, body: { pack_id: 'big' }, headers });
    expect(other.status).toBe(409);
    expect((await call(t.url, 'GET', '/v1/billing/payments', { key: acct.key })).body.data).toHaveLength(1);
  });

  it('refuses an unknown pack and reports Stripe failing as upstream_failed, recording nothing', async () => {
    const acct = await t.account(0);
    const unknown = await call(t.url, 'POST', '/v1/billing/checkout', { key: acct.key, body: { pack_id: 'huge' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('validation_failed');
    stripe.failNext(400);
    const failed = await call(t.url, 'POST', '/v1/billing/checkout', { key: acct.key, body: { pack_id: 'small' } });
    expect(failed.status).toBe(502);
    expect(failed.body.code).toBe('upstream_failed');
    expect(JSON.stringify(failed.body)).not.toContain('sk_test_mediary');
    expect((await call(t.url, 'GET', '/v1/billing/payments', { key: acct.key })).body.data).toEqual([]);
  });

  it('a paid event delivered 10 times at once, then 10 times more, credits the pack once', async () => {
    const acct = await t.account(7);
    const { session_id } = await checkout(acct.key);
    const event = completed(session_id, `pi_${session_id}`);
    const concurrent = await Promise.all(Array.from({ length: 10 }, () => deliver(event)));
    expect(concurrent.every((r) => r.status === 200)).toBe(true);
    expect(concurrent.filter((r) => r.body.outcome === 'credited')).toHaveLength(1);
    expect(concurrent.filter((r) => r.body.outcome === 'duplicate')).toHaveLength(9);
    for (let i = 0; i < 10; i++) expect((await deliver(event)).body.outcome).toBe('duplicate');
    expect(await balance(acct.key)).toBe(107);
    expect(await ledgerSum(acct.id)).toBe(107);
    const ledger = await call(t.url, 'GET', '/v1/account/ledger', { key: acct.key });
    expect(ledger.body.data.filter((e: any) => e.kind === 'purchase')).toEqual([expect.objectContaining({ amount: 100, reason: 'credit pack small' })]);
    const payments = await call(t.url, 'GET', '/v1/billing/payments', { key: acct.key });
    expect(payments.body.data[0]).toMatchObject({ status: 'paid' });
    expect(payments.body.data[0].paid_at).not.toBeNull();
  });

  it('different events for one session, in any order and at once, credit it once', async () => {
    const acct = await t.account(0);
    const { session_id } = await checkout(acct.key);
    const pi = `pi_${session_id}`;
    const events = [
      stripeEvent('checkout.session.async_payment_succeeded', { id: session_id, payment_status: 'paid', payment_intent: pi }),
      completed(session_id, pi),
      completed(session_id, pi),
    ];
    const replies = await Promise.all(events.flatMap((e) => [deliver(e), deliver(e)]));
    expect(replies.filter((r) => r.body.outcome === 'credited')).toHaveLength(1);
    expect(replies.filter((r) => r.body.outcome === 'already_credited')).toHaveLength(2);
    expect(await balance(acct.key)).toBe(100);
    expect(await ledgerSum(acct.id)).toBe(100);
  });

  it('async_payment_succeeded after an unpaid completion credits once, and nothing more after', async () => {
    const acct = await t.account(0);
    const { session_id } = await checkout(acct.key);
    const pi = `pi_${session_id}`;
    expect((await deliver(completed(session_id, pi, 'unpaid'))).body.outcome).toBe('awaiting_payment');
    expect(await balance(acct.key)).toBe(0);
    expect((await deliver(stripeEvent('checkout.session.async_payment_succeeded', { id: session_id, payment_status: 'paid', payment_intent: pi }))).body.outcome).toBe('credited');
    expect((await deliver(completed(session_id, pi))).body.outcome).toBe('already_credited');
    expect((await deliver(stripeEvent('checkout.session.async_payment_succeeded', { id: session_id, payment_status: 'paid', payment_intent: pi }))).body.outcome).toBe('already_credited');
    expect(await balance(acct.key)).toBe(100);
    expect(await ledgerSum(acct.id)).toBe(100);
  });

  it('forged, wrong-secret, stale, tampered and missing signatures are 400 and change nothing', async () => {
    const acct = await t.account(0);
    const { session_id } = await checkout(acct.key);
    const event = completed(session_id, `pi_${session_id}`);
    const before = await eventsCount();
    const { header } = signed(event);
    const refusals = [
      await deliver(event, { secret: 'whsec_someone_else' }),
      await deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
      await deliver(event, { header: `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` }),
      await deliver(event, { header, body: JSON.stringify({ ...event, id: 'evt_forged' }) }),
      await deliver(event, { header: null }),
      await deliver(event, { header: 'garbage' }),
    ];
    for (const r of refusals) {
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('invalid_signature');
    }
    expect(await eventsCount()).toBe(before);
    expect(await balance(acct.key)).toBe(0);
    expect((await call(t.url, 'GET', '/v1/billing/payments', { key: acct.key })).body.data[0].status).toBe('open');
  });

  it('an event for a session this installation never created credits nothing and is acknowledged', async () => {
    const res = await deliver(completed('cs_test_not_ours', 'pi_not_ours'));
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('unknown_session');
    const rows = (await t.db.query("SELECT count(*)::int AS n FROM ledger_entries WHERE reference = 'stripe:checkout:cs_test_not_ours'")) as Array<{ n: number }>;
    expect(rows[0]!.n).toBe(0);
  });

  it('a payment intent another session already holds still credits its own session, once, and is acknowledged', async () => {
    const acct = await t.account(0);
    const first = await checkout(acct.key);
    const second = await checkout(acct.key);
    expect(await deliver(completed(first.session_id, 'pi_shared'))).toMatchObject({ status: 200, body: { outcome: 'credited' } });
    expect(await deliver(completed(second.session_id, 'pi_shared'))).toMatchObject({ status: 200, body: { outcome: 'credited' } });
    expect(await deliver(completed(second.session_id, 'pi_shared'))).toMatchObject({ status: 200 });
    const small = PACKS.find((p) => p.id === 'small')!.credits;
    expect(await balance(acct.key)).toBe(2 * small);
    expect(await ledgerSum(acct.id)).toBe(2 * small);
  });

  it('unknown event types are acknowledged and ignored', async () => {
    const res = await deliver(stripeEvent('customer.created', { id: 'cus_1' }));
    expect(res).toMatchObject({ status: 200, body: { received: true, outcome: 'ignored' } });
  });

  it('a partial refund takes back its share; a refund of spent credits is owed and blocks paid work until paid', async () => {
    const acct = await t.account(0);
    const { session_id } = await checkout(acct.key); // 100 credits for 500
    const pi = `pi_${session_id}`;
    await deliver(completed(session_id, pi));
    expect(await balance(acct.key)).toBe(100);
    const refund = (amountRefunded: number) => stripeEvent('charge.refunded', { id: `ch_${session_id}`, object: 'charge', payment_intent: pi, amount: 500, amount_refunded: amountRefunded });
    // 100 of 500 refunded: 20 credits back.
    const partial = refund(100);
    expect((await deliver(partial)).body.outcome).toBe('reversed');
    expect((await deliver(partial)).body.outcome).toBe('duplicate');
    expect(await balance(acct.key)).toBe(80);
    // Spend 75 of the 80, then the rest of the payment is refunded: 80 more to take back, 5 there.
    const spend = await Promise.all(Array.from({ length: 75 }, () => call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: 'http://127.0.0.1:9/v.mp4' } })));
    expect(spend.every((r) => r.status === 202)).toBe(true);
    expect((await deliver(refund(500))).body.outcome).toBe('reversed');
    expect(await balance(acct.key)).toBe(0);
    expect(await ledgerSum(acct.id)).toBe(0);
    const owedRow = (await t.db.query('SELECT credits_owed::int AS owed FROM accounts WHERE id = $1', [acct.id])) as Array<{ owed: number }>;
    expect(owedRow[0]!.owed).toBe(75);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body).toMatchObject({ balance: 0, credits_owed: 75 });
    // Replaying an older refund event (a new id, smaller cumulative amount) takes nothing more.
    expect((await deliver(refund(100))).body.outcome).toBe('nothing_to_reverse');
    const payments = await call(t.url, 'GET', '/v1/billing/payments', { key: acct.key });
    expect(payments.body.data[0]).toMatchObject({ status: 'refunded', amount_refunded: 500, credits_reversed: 100 });

    // A grant that does not cover the debt leaves it blocking work.
    await t.accounts.grant(acct.id, 50, 'goodwill');
    expect(await balance(acct.key)).toBe(0);
    const blocked = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: 'http://127.0.0.1:9/v.mp4' } });
    expect(blocked.status).toBe(402);
    expect(blocked.body).toMatchObject({ code: 'credits_owed', owed: 25 });
    // Free reads still work.
    expect((await call(t.url, 'GET', '/v1/jobs', { key: acct.key })).status).toBe(200);

    // A new pack pays the rest first; then paid work runs again.
    const second = await checkout(acct.key);
    await deliver(completed(second.session_id, `pi_${second.session_id}`));
    expect(await balance(acct.key)).toBe(75);
    expect(await ledgerSum(acct.id)).toBe(75);
    const ok = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: 'http://127.0.0.1:9/v.mp4' } });
    expect(ok.status).toBe(202);
    const ledger = await call(t.url, 'GET', '/v1/account/ledger?limit=200', { key: acct.key });
    expect(ledger.body.data.filter((e: any) => e.kind === 'reversal').map((e: any) => e.amount)).toEqual([-25, -50, -5, -20]);
  });

  it('a dispute takes the whole pack back, once, and a refund of the same payment later takes nothing more', async () => {
    const acct = await t.account(10);
    const { session_id } = await checkout(acct.key);
    const pi = `pi_${session_id}`;
    await deliver(completed(session_id, pi));
    const dispute = stripeEvent('charge.dispute.created', { id: `dp_${session_id}`, object: 'dispute', charge: `ch_${session_id}`, payment_intent: pi, amount: 500 });
    const replies = await Promise.all(Array.from({ length: 10 }, () => deliver(dispute)));
    expect(replies.filter((r) => r.body.outcome === 'reversed')).toHaveLength(1);
    expect(await balance(acct.key)).toBe(10);
    const refund = stripeEvent('charge.refunded', { id: `ch_${session_id}`, payment_intent: pi, amount: 500, amount_refunded: 500 });
    expect((await deliver(refund)).body.outcome).toBe('nothing_to_reverse');
    expect(await balance(acct.key)).toBe(10);
    expect(await ledgerSum(acct.id)).toBe(10);
  });

  it('lists payments newest first, by pages', async () => {
    const acct = await t.account(0);
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await checkout(acct.key, i % 2 ? 'big' : 'small')).session_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(t.url, 'GET', `/v1/billing/payments?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: acct.key });
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((p: any) => p.session_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...made].reverse());
    const other = await t.account(0);
    expect((await call(t.url, 'GET', '/v1/billing/payments', { key: other.key })).body.data).toEqual([]);
    expect((await call(t.url, 'GET', '/v1/billing/payments?cursor=nope', { key: acct.key })).status).toBe(422);
  });
});

describe('billing without Stripe configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, false);
  });
  afterAll(async () => t.close());

  it('answers 503 billing_unavailable on every billing endpoint, and everything else works', async () => {
    const acct = await t.account(5);
    for (const [method, route, body] of [
      ['GET', '/v1/billing/packs', undefined],
      ['POST', '/v1/billing/checkout', { pack_id: 'starter' }],
      ['GET', '/v1/billing/payments', undefined],
    ] as const) {
      const res = await call(t.url, method, route, { key: acct.key, body });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('billing_unavailable');
    }
    const { payload, header } = signed(stripeEvent('checkout.session.completed', { id: 'cs_x', payment_status: 'paid' }));
    const hook = await fetch(`${t.url}/v1/billing/stripe-webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload });
    expect(hook.status).toBe(503);
    expect((await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: 'http://127.0.0.1:9/v.mp4' } })).status).toBe(202);
  });
});

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeCall {
  method: string;
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  form: URLSearchParams;
}

export interface FakeStripe {
  base: string;
  calls: StripeCall[];
  /** Answer the next Checkout Session creations with this status and error instead. */
  failNext(status: number, count?: number): void;
  close(): Promise<void>;
}

/**
 * A Stripe-compatible API on 127.0.0.1 for what Mediary calls: `POST /v1/checkout/sessions`
 * (form-encoded, as the SDK sends it) answers a session like Stripe's, honours Idempotency-Key
 * (the same key gets the same session), and records every call. With `hostedCheckout`, a
 * session's `url` is a page of this server (`GET /c/pay/<session>`) instead of checkout.stripe.com,
 * so a browser sent to Checkout stays on 127.0.0.1.
 */
export async function startFakeStripe(opts: { hostedCheckout?: boolean } = {}): Promise<FakeStripe> {
  const calls: StripeCall[] = [];
  const byKey = new Map<string, Record<string, unknown>>();
  let failures: { status: number; count: number } | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const key = req.headers['idempotency-key'] as string | undefined;
      calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, idempotencyKey: key, form });
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${randomBytes(6).toString('hex')}` }).end(JSON.stringify(body));
      const page = /^\/c\/pay\/(cs_test_[0-9a-f]+)$/.exec(req.url ?? '');
      if (opts.hostedCheckout && req.method === 'GET' && page) {
        return res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Checkout</title><h1>Test Checkout</h1><p id="session">${page[1]}</p>`);
      }
      if (req.method !== 'POST' || req.url !== '/v1/checkout/sessions') return json(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.url})` } });
      if (!req.headers.authorization?.startsWith('Bearer sk_test_')) return json(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      if (failures && failures.count > 0) {
        failures.count--;
        return json(failures.status, { error: { type: 'invalid_request_error', message: 'Refused by the test server' } });
      }
      const known = key ? byKey.get(key) : undefined;
      if (known) return json(200, known);
      const id = `cs_test_${randomBytes(12).toString('hex')}`;
      const session = {
        id,
        object: 'checkout.session',
        mode: form.get('mode'),
        status: 'open',
        payment_status: 'unpaid',
        client_reference_id: form.get('client_reference_id'),
        metadata: { account_id: form.get('metadata[account_id]'), pack_id: form.get('metadata[pack_id]') },
        amount_total: Number(form.get('line_items[0][price_data][unit_amount]')),
        currency: form.get('line_items[0][price_data][currency]'),
        success_url: form.get('success_url'),
        cancel_url: form.get('cancel_url'),
        url: `${opts.hostedCheckout ? base() : 'https://checkout.stripe.com'}/c/pay/${id}`,
        payment_intent: null,
      };
      if (key) byKey.set(key, session);
      return json(200, session);
    });
  });
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: base(),
    calls,
    failNext(status, count = 1) {
      failures = { status, count };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

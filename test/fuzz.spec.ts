import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startApp, type TestApp } from './support/app.js';
import { ROOT } from './support/processes.js';
import { startFakeStripe, type FakeStripe } from './support/stripe-server.js';

/** Lone surrogates replaced: a client cannot put them in a URL at all. */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: string }>;
  body: 'json' | 'multipart' | null;
  fields: string[];
}

type Spec = {
  paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, { schema?: { $ref?: string } }> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
};

/** Every operation of the committed contract, with the fields its body declares. */
function operations(): Operation[] {
  const spec = JSON.parse(readFileSync(path.join(ROOT, 'openapi.json'), 'utf8')) as Spec;
  return Object.entries(spec.paths).flatMap(([route, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const content = op.requestBody?.content ?? {};
      const ref = content['application/json']?.schema?.$ref?.split('/').pop();
      return {
        method: method.toUpperCase(),
        path: route,
        params: op.parameters ?? [],
        body: content['application/json'] ? 'json' : content['multipart/form-data'] ? 'multipart' : null,
        fields: ref ? Object.keys(spec.components.schemas[ref]?.properties ?? {}) : [],
      } satisfies Operation;
    }),
  );
}

// Strings an attacker would try. None of them can reach a host off this machine: URLs use
// reserved names (.invalid) or private addresses, which the instance refuses.
const nasty = fc.constantFrom(
  '', ' ', '\u0000', 'a\u0000b', '\ud800', '\uffff', '%00', '%', '../../../../etc/passwd', "' OR 1=1 --", '"; DROP TABLE jobs; --',
  '${jndi:ldap://x.invalid/a}', '<script>alert(1)</script>', 'null', 'undefined', 'NaN', '-1', '1e309', '9'.repeat(400), 'a'.repeat(70_000),
  'http://127.0.0.1:1/', 'http://2130706433/', 'http://[::1]/', 'http://169.254.169.254/latest', 'file:///etc/passwd', 'gopher://x.invalid/',
  'http://x.invalid:99999/', 'https://user:pass@x.invalid/', 'http://x.invalid/v.m3u8', 'javascript:alert(1)', '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', 'eyJ4IjoxfQ', 'W10', 'WyJ4IiwieSJd',
);
/** Random text with no ':' so it can never form a URL with a scheme. */
const text = fc.string({ unit: fc.constantFrom(...'abc-_./%?&=#@ 0123456789\u00e9\u4e2d\ud83d\ude00'.split('')), maxLength: 40 });
const scalar = fc.oneof(nasty, text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(Number.MAX_SAFE_INTEGER + 2));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('any'), { maxLength: 4 }), fc.dictionary(text, tie('any'), { maxKeys: 4 })),
})).any;

const rawBody = fc.oneof(
  fc.constant('{bad json'),
  fc.constant('{"a":'.repeat(3000)),
  fc.constant(`${'['.repeat(5000)}${']'.repeat(5000)}`),
  fc.constant('{"__proto__":{"admin":true}}'),
  fc.constant('{"constructor":{"prototype":{"admin":true}}}'),
  fc.constant('"just a string"'),
  fc.constant('[]'),
  fc.constant('{"x":"\\u0000"}'),
  fc.constant('{"x":"\\ud800"}'),
  fc.constant(''),
);

const request = fc.constantFrom(...operations()).chain((op) =>
  fc.record({
    op: fc.constant(op),
    pathValues: fc.array(fc.oneof(nasty, text, fc.uuid()), { minLength: 4, maxLength: 4 }),
    query: fc.dictionary(fc.constantFrom(...op.params.filter((p) => p.in === 'query').map((p) => p.name), 'x'), fc.oneof(nasty, text), { maxKeys: 4 }),
    body: fc.oneof(
      fc.record(Object.fromEntries(op.fields.map((f) => [f, value])), { requiredKeys: [] }),
      fc.dictionary(text, value, { maxKeys: 3 }),
      rawBody,
    ),
    contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=X', 'application/json; charset=utf-16', ''),
    idempotencyKey: fc.option(fc.oneof(nasty.filter((s) => !/[\r\n\u0000]/.test(s) && s.length < 8000), text), { nil: undefined }),
    lastEventId: fc.option(fc.oneof(text, fc.constant('-1'), fc.constant('99999999999999999999')), { nil: undefined }),
  }),
);

describe('fuzzing every operation of openapi.json', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let acct: { id: string; key: string };
  const seen = new Map<number, number>();

  beforeAll(async () => {
    // Private networks refused, as in production; an empty account, so nothing can be charged.
    // Billing on (against a local Stripe stand-in): without it its endpoints answer 503 by design.
    stripe = await startFakeStripe();
    t = await startApp(
      {
        ALLOW_PRIVATE_NETWORKS: 'false',
        STRIPE_SECRET_KEY: 'sk_test_fuzz',
        STRIPE_WEBHOOK_SECRET: 'whsec_fuzz',
        STRIPE_API_BASE: stripe.base,
        BILLING_SUCCESS_URL: 'https://example.com/ok',
        BILLING_CANCEL_URL: 'https://example.com/no',
      },
      false,
    );
    acct = await t.account(0);
  });
  afterAll(async () => {
    await t.close();
    await stripe.close();
  });

  it('never answers 5xx; every 4xx is problem+json with a code; nothing is charged; the process stays up', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let i = 0;
        const route = r.op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(wellFormed(String(r.pathValues[i++] ?? ''))));
        const query = new URLSearchParams(Object.entries(r.query).map(([k, v]): [string, string] => [k, wellFormed(String(v))])).toString();
        const headers: Record<string, string> = { authorization: `Bearer ${acct.key}` };
        if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey.replace(/[^\x20-\x7e]/g, '?');
        if (r.lastEventId !== undefined) headers['last-event-id'] = r.lastEventId.replace(/[^\x20-\x7e]/g, '?');
        let body: string | undefined;
        if (r.op.method !== 'GET' && r.op.method !== 'DELETE') {
          body = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
          if (r.contentType) headers['content-type'] = r.contentType;
        }
        const res = await fetch(`${t.url}${route}${query ? `?${query}` : ''}`, {
          method: r.op.method,
          headers,
          body,
          signal: AbortSignal.timeout(15_000),
        });
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        const contentType = res.headers.get('content-type') ?? '';
        // An event stream that opened stays open: the answer is its 200, not its end.
        const payload = contentType.includes('text/event-stream') ? (await res.body?.cancel(), '') : await res.text();
        expect([route, res.status]).toEqual([route, expect.any(Number)]);
        if (res.status >= 500) throw new Error(`${r.op.method} ${route} → ${res.status}: ${payload.slice(0, 300)}`);
        if (res.status >= 400) {
          expect(contentType).toContain('application/problem+json');
          expect(JSON.parse(payload)).toMatchObject({ code: expect.any(String), status: res.status });
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 1500), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, endOnFailure: true },
    );
    const balance = (await fetch(`${t.url}/v1/account`, { headers: { authorization: `Bearer ${acct.key}` } }).then((r) => r.json())) as { balance: number };
    expect(balance.balance).toBe(0);
    const entries = await t.db.query('SELECT count(*)::int AS n FROM ledger_entries WHERE account_id = $1', [acct.id]);
    expect(entries[0].n).toBe(0);
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200);
    expect([...seen.keys()].every((s) => s < 500)).toBe(true);
  }, 240_000);
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { media, startApp, type TestApp } from './support/app.js';
import { startFakeStripe, type FakeStripe } from './support/stripe-server.js';
import { ROOT } from './support/processes.js';

const COLLECTION = path.join(ROOT, 'clients/postman/mediary.postman_collection.json');

interface NewmanReport {
  run: {
    stats: { requests: { total: number; failed: number }; assertions: { total: number; failed: number } };
    failures: Array<{ error: { message: string }; source?: { name?: string } }>;
  };
}

describe('the Postman collection (clients/postman)', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let receiver: http.Server;
  let hook: string;
  beforeAll(async () => {
    // Billing on, against a local Stripe stand-in, so its requests run too.
    stripe = await startFakeStripe();
    t = await startApp({
      STRIPE_SECRET_KEY: 'sk_test_postman',
      STRIPE_WEBHOOK_SECRET: 'whsec_postman',
      STRIPE_API_BASE: stripe.base,
      BILLING_SUCCESS_URL: 'https://example.com/ok',
      BILLING_CANCEL_URL: 'https://example.com/no',
    });
    receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((r) => receiver.close(r));
    await t.close();
    await stripe.close();
  });

  it('is generated from the committed openapi.json (run `npm run postman` when this fails)', () => {
    const fresh = path.join(mkdtempSync(path.join(os.tmpdir(), 'mediary-postman-')), 'collection.json');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/generate-postman.mjs'), '--out', fresh], { cwd: ROOT });
    expect(readFileSync(COLLECTION, 'utf8')).toBe(readFileSync(fresh, 'utf8'));
  });

  it('runs with newman against an instance: every request answers as its test and schema say', async () => {
    const { key } = await t.account(40);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-newman-'));
    copyFileSync(path.join(ROOT, 'test/.fixtures/direct.mp4'), path.join(dir, 'media.mp4'));
    const report = path.join(dir, 'report.json');
    const vars = { baseUrl: t.url, apiKey: key, mediaUrl: media('master.m3u8'), webhookUrl: hook };
    const run = await promisify(execFile)(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/newman/bin/newman.js'), 'run', COLLECTION, '--working-dir', dir, '--reporters', 'json',
        '--reporter-json-export', report, '--timeout-request', '60000', '--color', 'off',
        ...Object.entries(vars).flatMap(([k, v]) => ['--env-var', `${k}=${v}`]),
      ],
      { cwd: dir },
    ).then(() => null, (err: Error) => err);
    const { run: result } = JSON.parse(readFileSync(report, 'utf8')) as NewmanReport;
    expect(result.failures.map((f) => `${f.source?.name}: ${f.error.message}`)).toEqual([]);
    expect(run).toBeNull();
    const requests = (JSON.parse(readFileSync(COLLECTION, 'utf8')) as { item: unknown[] }).item.length;
    expect(result.stats.requests.total).toBeGreaterThanOrEqual(requests);
    expect(result.stats.requests.failed).toBe(0);
    expect(result.stats.assertions.total).toBeGreaterThanOrEqual(requests * 2);
  }, 180_000);
});

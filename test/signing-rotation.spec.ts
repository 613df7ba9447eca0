import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';

const S1 = 'first-signing-secret-0123456789';
const S2 = 'second-signing-secret-0123456789';
const S3 = 'unrelated-signing-secret-0123456789';

// SIGNING_SECRET signs file links and encrypts webhook secrets; rotating it must lose neither.
describe('SIGNING_SECRET rotation', () => {
  const apps: TestApp[] = [];
  let before: TestApp;
  let receiver: http.Server;
  let receiverUrl: string;

  const start = async (env: Record<string, string>, workers = false) => {
    const t = await startApp({ STORAGE_DIR: before?.config.storage.dir ?? '', ...env }, workers);
    apps.push(t);
    return t;
  };

  beforeAll(async () => {
    before = await startApp({ SIGNING_SECRET: S1 }, true);
    apps.push(before);
    receiver = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    for (const t of apps) await t.close();
    await new Promise((r) => receiver.close(r));
  });

  it('links and webhook secrets made before the rotation still work with SIGNING_SECRET_PREVIOUS, and after it is dropped', async () => {
    const acct = await before.account(5);
    const secret = (await call(before.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body.secret;
    expect(secret).toMatch(/^whsec_/);
    const job = await call(before.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('second.mp4') } });
    const done = await waitForJob(before.url, acct.key, job.body.job_id);
    const link: string = done.result.files[0].url;

    const rotated = await start({ SIGNING_SECRET: S2, SIGNING_SECRET_PREVIOUS: S1 });
    expect((await fetch(link.replace(before.url, rotated.url))).status).toBe(200);
    expect((await call(rotated.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body.secret).toBe(secret);

    // Read once under S2, the secret was re-encrypted: it no longer needs S1.
    const settled = await start({ SIGNING_SECRET: S2 });
    expect((await call(settled.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body.secret).toBe(secret);
    expect((await fetch(link.replace(before.url, settled.url))).status).toBe(404);
  });

  it('a secret no configured key can read is a clear conflict, a failed delivery, and fixed by rotating', async () => {
    const acct = await before.account(5);
    const old = (await call(before.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body.secret;
    const other = await start({ SIGNING_SECRET: S3 });
    const read = await call(other.url, 'GET', '/v1/webhooks/secret', { key: acct.key });
    expect([read.status, read.body.code]).toEqual([409, 'conflict']);
    expect(read.body.detail).toContain('SIGNING_SECRET');
    const test = await call(other.url, 'POST', '/v1/webhooks/test', { key: acct.key, body: { url: receiverUrl } });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ delivered: false, status_code: null });
    expect(test.body.error).toContain('SIGNING_SECRET');
    const rotated = await call(other.url, 'POST', '/v1/webhooks/secret/rotate', { key: acct.key });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(old);
    expect(rotated.body.previous_secret_expires_at).toBeNull();
    expect((await call(other.url, 'POST', '/v1/webhooks/test', { key: acct.key, body: { url: receiverUrl } })).body.delivered).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { recordWebhook } from './support/contract.js';
import { waitOut } from './support/processes.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver that answers from a script of status codes (then 200) and keeps everything. */
async function receiver(): Promise<{ url: string; got: Received[]; script: number[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const script: number[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body, at: Date.now() });
      recordWebhook(body);
      const status = script.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'thanks' : 'try again later');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    script,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const verify = (secret: string, r: Received) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>);

async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Retries 1 s apart (±20 % jitter): a duplicate or extra attempt would show within this.
const RETRY_WINDOW_MS = 2500;

describe('webhooks (Standard Webhooks, verified with the standardwebhooks library)', () => {
  let t: TestApp;
  let rx: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    t = await startApp({ WEBHOOK_RETRY_SCHEDULE: '1,1', WEBHOOK_TIMEOUT_SECONDS: '2' });
    rx = await receiver();
  });
  afterAll(async () => {
    await rx.close();
    await t.close();
  });

  it('delivers job.completed to the account endpoint, signed with the account secret', async () => {
    const acct = await t.account(5);
    const put = await call(t.url, 'PUT', '/v1/webhooks/endpoint', { key: acct.key, body: { url: rx.url } });
    expect(put.body).toMatchObject({ url: rx.url, events: ['job.completed', 'job.failed', 'batch.completed'] });
    const { secret } = (await call(t.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body;
    expect(secret).toMatch(/^whsec_/);
    const before = rx.got.length;
    const job = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('second.mp4') } });
    await waitForJob(t.url, acct.key, job.body.job_id);
    const delivery = await until(() => rx.got.slice(before).find((r) => r.body.includes(job.body.job_id)));
    const payload = verify(secret, delivery) as any;
    expect(payload).toMatchObject({ type: 'job.completed', data: { id: job.body.job_id, status: 'completed' } });
    expect(payload.data.result.files[0].url).toContain('/v1/files/');
    expect(delivery.headers['webhook-id']).toMatch(/^msg_/);
  });

  it('retries a failing receiver with the same webhook-id and records every attempt', async () => {
    const acct = await t.account(5);
    rx.script.push(500, 500);
    const job = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('second.mp4'), webhook_url: rx.url } });
    const done = await waitForJob(t.url, acct.key, job.body.job_id);
    const list = await until(async () => {
      const page = await call(t.url, 'GET', `/v1/webhooks/deliveries?job_id=${done.id}`, { key: acct.key });
      return page.body.data[0]?.status === 'delivered' ? page.body.data[0] : undefined;
    }, 30_000);
    expect(list).toMatchObject({ status: 'delivered', attempt_count: 3, event_type: 'job.completed' });
    expect(list.attempts.map((a: any) => a.status_code)).toEqual([500, 500, 200]);
    expect(list.attempts[0].response_excerpt).toBe('try again later');
    // Delivered is final: past another retry window, still exactly three requests.
    await waitOut(RETRY_WINDOW_MS);
    const ours = rx.got.filter((r) => r.body.includes(done.id));
    expect(ours).toHaveLength(3);
    expect(new Set(ours.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const { secret } = (await call(t.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body;
    for (const r of ours) expect(verify(secret, r)).toBeTruthy();
  });

  it('a receiver that is down: attempts recorded, then failed; a manual retry sends it again', async () => {
    const acct = await t.account(5);
    const dead = 'http://127.0.0.1:9/hook';
    const job = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('gone.mp4'), webhook_url: dead } });
    const done = await waitForJob(t.url, acct.key, job.body.job_id);
    expect(done.status).toBe('failed');
    const failed = await until(async () => {
      const page = await call(t.url, 'GET', `/v1/webhooks/deliveries?status=failed`, { key: acct.key });
      return page.body.data[0];
    }, 30_000);
    expect(failed).toMatchObject({ event_type: 'job.failed', attempt_count: 3, status: 'failed', last_status_code: null });
    expect(failed.attempts.every((a: any) => a.error)).toBe(true);
    const retried = await call(t.url, 'POST', `/v1/webhooks/deliveries/${failed.id}/retry`, { key: acct.key });
    expect(retried.body.status).toBe('pending');
    const conflict = await call(t.url, 'POST', `/v1/webhooks/deliveries/${failed.id}/retry`, { key: acct.key });
    expect(conflict.body.code).toBe('conflict');
    const other = await t.account(0);
    expect((await call(t.url, 'POST', `/v1/webhooks/deliveries/${failed.id}/retry`, { key: other.key })).status).toBe(404);
  });

  it('during a secret rotation both the old and the new secret verify', async () => {
    const acct = await t.account(0);
    const oldSecret = (await call(t.url, 'GET', '/v1/webhooks/secret', { key: acct.key })).body.secret;
    const rotated = await call(t.url, 'POST', '/v1/webhooks/secret/rotate', { key: acct.key });
    expect(rotated.body.secret).not.toBe(oldSecret);
    expect(Date.parse(rotated.body.previous_secret_expires_at)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    const before = rx.got.length;
    const test = await call(t.url, 'POST', '/v1/webhooks/test', { key: acct.key, body: { url: rx.url } });
    expect(test.body).toMatchObject({ delivered: true, status_code: 200, response_excerpt: 'thanks' });
    const r = rx.got[before]!;
    expect((r.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(verify(oldSecret, r)).toMatchObject({ type: 'webhook.test' });
    expect(verify(rotated.body.secret, r)).toMatchObject({ type: 'webhook.test' });
  });

  it('job.progress is opt-in per endpoint: sent to an endpoint that opted in, never to one that did not', async () => {
    const optedIn = await t.account(5);
    const notOptedIn = await t.account(5);
    await call(t.url, 'PUT', '/v1/webhooks/endpoint', { key: optedIn.key, body: { url: rx.url, events: ['job.progress', 'job.completed'] } });
    const defaults = await call(t.url, 'PUT', '/v1/webhooks/endpoint', { key: notOptedIn.key, body: { url: rx.url } });
    expect(defaults.body.events).not.toContain('job.progress');
    // The same slow download for both, side by side: both pass through the same progress.
    const jobs = await Promise.all(
      [optedIn, notOptedIn].map(async (acct) => (await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=500000') } })).body.job_id as string),
    );
    const typesFor = (id: string) => rx.got.filter((r) => r.body.includes(id)).map((r) => JSON.parse(r.body).type as string);
    for (const [i, acct] of [optedIn, notOptedIn].entries()) {
      await waitForJob(t.url, acct.key, jobs[i]!);
      await until(() => typesFor(jobs[i]!).includes('job.completed'));
    }
    const optedInTypes = typesFor(jobs[0]!);
    expect(optedInTypes).toContain('job.progress');
    expect(optedInTypes.at(-1)).toBe('job.completed');
    expect(typesFor(jobs[1]!)).toEqual(['job.completed']);
    // Nor was any recorded for later: the endpoint's deliveries for that job are the completion only.
    const recorded = await call(t.url, 'GET', `/v1/webhooks/deliveries?job_id=${jobs[1]}`, { key: notOptedIn.key });
    expect(recorded.body.data.map((d: any) => d.event_type)).toEqual(['job.completed']);
  });

  it('manages the endpoint: 404 before one is set, validation, delete', async () => {
    const acct = await t.account(0);
    expect((await call(t.url, 'GET', '/v1/webhooks/endpoint', { key: acct.key })).status).toBe(404);
    const bad = await call(t.url, 'PUT', '/v1/webhooks/endpoint', { key: acct.key, body: { url: rx.url, events: ['job.exploded'] } });
    expect(bad.body.code).toBe('validation_failed');
    await call(t.url, 'PUT', '/v1/webhooks/endpoint', { key: acct.key, body: { url: rx.url } });
    expect((await call(t.url, 'DELETE', '/v1/webhooks/endpoint', { key: acct.key })).status).toBe(204);
    expect((await call(t.url, 'POST', '/v1/webhooks/test', { key: acct.key, body: {} })).status).toBe(404);
  });
});

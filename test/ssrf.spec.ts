import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WebhookHttpRepository } from '../src/platform/tools/webhook-http.repository.js';
import { call, startApp, waitForJob, type TestApp } from './support/app.js';

// Private networks are off here. 127.0.0.2 plays a trusted host (ALLOWED_PRIVATE_CIDRS) that
// redirects to 127.0.0.1, which stays forbidden: a redirect must not reach it.
describe('private-network URLs are refused (ALLOW_PRIVATE_NETWORKS=false)', () => {
  let t: TestApp;
  let acct: { id: string; key: string };
  const trusted = () => process.env.MEDIA_URL_2!;
  const loopbackMedia = () => `${process.env.MEDIA_URL}/direct.mp4`;

  beforeAll(async () => {
    t = await startApp({ ALLOW_PRIVATE_NETWORKS: 'false', ALLOWED_PRIVATE_CIDRS: '127.0.0.2/32' });
    acct = await t.account(20);
  });
  afterAll(async () => t.close());

  it.each([
    'http://127.0.0.1:8080/video.mp4',
    'http://localhost/video.mp4',
    'http://10.0.0.5/video.mp4',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/video.mp4',
    'http://[::ffff:127.0.0.1]/video.mp4',
    'http://100.64.0.1/video.mp4',
    'file:///etc/passwd',
  ])('refuses %s for info and download without charging', async (url) => {
    const info = await call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(url)}`, { key: acct.key });
    expect([info.status, info.body.code]).toEqual([422, url.startsWith('file:') ? 'validation_failed' : 'url_not_allowed']);
    const dl = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url } });
    expect(dl.status).toBe(422);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(20);
  });

  it('refuses a private webhook_url', async () => {
    const dl = await call(t.url, 'POST', '/v1/download', {
      key: acct.key,
      body: { url: `${trusted()}/direct.mp4`, webhook_url: 'http://169.254.169.254/hook' },
    });
    expect([dl.status, dl.body.code]).toEqual([422, 'url_not_allowed']);
  });

  it('refuses a private webhook endpoint, and checks addresses again when delivering', async () => {
    const put = await call(t.url, 'PUT', '/v1/webhooks/endpoint', { key: acct.key, body: { url: 'http://169.254.169.254/hook' } });
    expect([put.status, put.body.code]).toEqual([422, 'url_not_allowed']);
    const http = t.app.get(WebhookHttpRepository);
    for (const url of ['http://localhost:9/hook', 'http://127.0.0.1:9/hook', 'http://[::1]:9/hook']) {
      const res = await http.post(url, {}, '{}');
      expect([res.statusCode, res.error]).toEqual([null, expect.stringContaining('not allowed')]);
    }
  });

  it('a trusted host works through the egress proxy', async () => {
    const info = await call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(`${trusted()}/direct.mp4`)}`, { key: acct.key });
    expect(info.status).toBe(200);
    expect(info.body.formats[0].height).toBe(360);
  });

  it('a redirect to loopback is refused for info (free) and fails a download (refunded)', async () => {
    const redirect = `${trusted()}/redirect?to=${encodeURIComponent(loopbackMedia())}`;
    const before = (await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance;
    const info = await call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(redirect)}`, { key: acct.key });
    expect([info.status, info.body.code]).toEqual([422, 'url_not_allowed']);
    const dl = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: redirect } });
    expect(dl.status).toBe(202);
    const job = await waitForJob(t.url, acct.key, dl.body.job_id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('url_not_allowed');
    expect(job.credits_refunded).toBe(1);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(before);
  });

  it('a site that answers the first read and redirects the seek to loopback fails a timed thumbnail (refunded)', async () => {
    // A thumbnail whose time is given, of a URL naming a media file, is one ffmpeg with no probe
    // first: its seek, not a probe, is what meets the redirect.
    const url = `${trusted()}/seek-redirect/direct.mp4?to=${encodeURIComponent(loopbackMedia())}`;
    const before = (await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance;
    const res = await call(t.url, 'POST', '/v1/preview', { key: acct.key, body: { url, type: 'thumbnail', timestamp: 4 } });
    expect(res.status).toBe(202);
    const job = await waitForJob(t.url, acct.key, res.body.job_id);
    expect([job.status, job.error?.code, job.credits_refunded]).toEqual(['failed', 'url_not_allowed', job.credits_charged]);
    expect(job.result).toBeNull();
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(before);
  });
});

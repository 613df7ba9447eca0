import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { QueueRepository } from '../src/platform/tools/queue.repository.js';
import { call, fetchAndProbe, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { waitUntil } from './support/processes.js';

describe('POST /v1/download (real yt-dlp and ffmpeg on local fixtures)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t.close());

  async function download(body: Record<string, unknown>, credits = 10) {
    const acct = await t.account(credits);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body });
    expect(res.status).toBe(202);
    const job = await waitForJob(t.url, acct.key, res.body.job_id);
    return { acct, res, job };
  }

  it('downloads the HLS fixture as mp4 at 360p with audio, charging 1 credit', async () => {
    const { acct, res, job } = await download({ url: media('master.m3u8'), format: 'mp4', quality: '360p', metadata: { order: 7 } });
    expect(res.body).toMatchObject({ status: 'pending', credits_charged: 1 });
    expect(job.status).toBe('completed');
    expect(job.progress).toBe(100);
    expect(job.result.metadata).toEqual({ order: 7 });
    const file = job.result.files.find((f: any) => f.kind === 'media');
    expect(file.content_type).toBe('video/mp4');
    const probe = await fetchAndProbe(file.url);
    expect(probe.height).toBe(360);
    expect(probe.vcodec).toBe('h264');
    expect(probe.acodec).toBe('aac');
    expect(probe.bytes).toBe(file.size);
    const account = await call(t.url, 'GET', '/v1/account', { key: acct.key });
    expect(account.body.balance).toBe(9);
  });

  it('picks 720p from the same master when asked for best', async () => {
    const { job } = await download({ url: media('master.m3u8') });
    const probe = await fetchAndProbe(job.result.files[0].url);
    expect(probe.height).toBe(720);
    expect(probe.acodec).toBe('aac');
  });

  it('delivers a real webm (vp9 + opus) when asked for webm', async () => {
    const { job } = await download({ url: media('master.m3u8'), format: 'webm', quality: '360p' });
    expect(job.status).toBe('completed');
    const file = job.result.files[0];
    expect(file.filename).toMatch(/\.webm$/);
    expect(file.content_type).toBe('video/webm');
    const probe = await fetchAndProbe(file.url);
    expect([probe.vcodec, probe.acodec, probe.height]).toEqual(['vp9', 'opus', 360]);
  });

  it('converts to mp3 (a re-encode: 2 credits)', async () => {
    const { res, job } = await download({ url: media('direct.mp4'), format: 'mp3', quality: '128k' });
    expect(res.body.credits_charged).toBe(2);
    expect(job.status).toBe('completed');
    const probe = await fetchAndProbe(job.result.files[0].url);
    expect(probe.acodec).toBe('mp3');
    expect(probe.vcodec).toBeNull();
    expect(probe.duration).toBeGreaterThan(5.5);
  });

  it('trims to the requested span within 0.5 s', async () => {
    const { job } = await download({ url: media('direct.mp4'), trim: { start: 1.5, end: 4 } });
    expect(job.status).toBe('completed');
    const probe = await fetchAndProbe(job.result.files[0].url);
    expect(Math.abs(probe.duration - 2.5)).toBeLessThan(0.5);
    expect(probe.height).toBe(360);
  });

  it('returns subtitles and the page title for a <video> page', async () => {
    const { job } = await download({ url: media('master.m3u8'), quality: '360p', subtitles: ['en'], filename: 'my clip' });
    expect(job.status).toBe('completed');
    const kinds = job.result.files.map((f: any) => [f.kind, f.filename]);
    expect(kinds).toContainEqual(['media', 'my clip.mp4']);
    expect(kinds).toContainEqual(['subtitle', 'my clip.en.vtt']);
    const vtt = await (await fetch(job.result.files.find((f: any) => f.kind === 'subtitle').url)).text();
    expect(vtt).toContain('Hello from the fixture captions.');
  });

  it('fails a missing video and refunds it with a ledger entry naming the job', async () => {
    const { acct, job } = await download({ url: media('gone.mp4') }, 5);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('media_unavailable');
    expect(job.credits_refunded).toBe(1);
    const account = await call(t.url, 'GET', '/v1/account', { key: acct.key });
    expect(account.body.balance).toBe(5);
    const ledger = await call(t.url, 'GET', '/v1/account/ledger', { key: acct.key });
    expect(ledger.body.data.map((e: any) => [e.kind, e.amount, e.job_id])).toEqual([
      ['refund', 1, job.id],
      ['charge', -1, job.id],
      ['grant', 5, null],
    ]);
  });

  it('serves files with ranges and a download name, and refuses a tampered link', async () => {
    const { job } = await download({ url: media('direct.mp4') });
    const file = job.result.files[0];
    const part = await fetch(file.url, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    expect(part.headers.get('content-disposition')).toContain('attachment');
    const link = new URL(file.url);
    const signature = link.searchParams.get('signature')!;
    // Another first character, whatever the signature starts with.
    link.searchParams.set('signature', `${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`);
    expect(link.href).not.toBe(file.url);
    const tampered = await fetch(link);
    expect(tampered.status).toBe(404);
    expect(tampered.headers.get('content-type')).toContain('application/problem+json');
  });

  it('cancels a running download: process stopped, job canceled, outputs never appear', async () => {
    const acct = await t.account(3);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=100000') } });
    await waitForJob(t.url, acct.key, res.body.job_id, 20_000, (j) => j.status === 'processing');
    const canceled = await call(t.url, 'DELETE', `/v1/jobs/${res.body.job_id}`, { key: acct.key });
    expect(canceled.status).toBe(200);
    expect(canceled.body.status).toBe('canceled');
    // The worker lets go of the job (its attempt ends) long before the 13 s download could finish.
    const queue = t.app.get(QueueRepository);
    await waitUntil(async () => (await queue.state(res.body.job_id)) !== 'active', 8000, 'the worker to stop the canceled download');
    const later = await call(t.url, 'GET', `/v1/jobs/${res.body.job_id}`, { key: acct.key });
    expect(later.body.status).toBe('canceled');
    expect(later.body.result).toBeNull();
    // It had started, so it did work: a running job's cancellation is not refunded.
    expect(later.body.credits_refunded).toBe(0);
    const storage = t.env.STORAGE_DIR!;
    expect(existsSync(path.join(storage, 'outputs', acct.id, res.body.job_id))).toBe(false);
    expect(readdirSync(path.join(storage, 'work')).filter((d) => d.startsWith(res.body.job_id))).toEqual([]);
  });

  it('deletes the outputs of a finished job', async () => {
    const { acct, job } = await download({ url: media('direct.mp4') });
    const url = job.result.files[0].url;
    const del = await call(t.url, 'DELETE', `/v1/jobs/${job.id}`, { key: acct.key });
    expect(del.status).toBe(200);
    expect(del.body.result.files).toEqual([]);
    expect(del.body.result.outputs_deleted).toBe(true);
    expect((await fetch(url)).status).toBe(404);
  });
});

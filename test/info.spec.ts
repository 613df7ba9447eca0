import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, media, startApp, type TestApp } from './support/app.js';

describe('/v1/info on local fixtures', () => {
  let t: TestApp;
  let acct: { id: string; key: string };
  beforeAll(async () => {
    t = await startApp({}, false);
    acct = await t.account(100);
  });
  afterAll(async () => t.close());

  const info = (url: string) => call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(url)}`, { key: acct.key });

  it('a direct mp4: duration, codecs and size filled by ffprobe', async () => {
    const res = await info(media('direct.mp4'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ type: 'video', id: 'direct', platform: 'generic', cached: false, credits_charged: 1 });
    expect(res.body.duration).toBeCloseTo(6, 0);
    expect(res.body.formats).toEqual([
      expect.objectContaining({ ext: 'mp4', vcodec: 'h264', acodec: 'aac', width: 640, height: 360, has_audio: true, has_video: true }),
    ]);
    expect(res.body.formats[0].filesize).toBeGreaterThan(100_000);
    expect(res.body.formats[0].url).toBeUndefined();
    expect(res.body.estimated_credits).toMatchObject({ download: 1, download_reencode: 2, transcribe: 3 });
  });

  it('an HTML page: og:title and the <track> subtitles', async () => {
    const res = await info(media('page.html'));
    expect(res.status).toBe(200);
    expect(res.body.title).toMatch(/^Fixture Page Title/);
    expect(res.body.duration).toBeCloseTo(6, 0);
    expect(res.body.subtitles).toEqual([expect.objectContaining({ language: 'en', kind: 'manual' })]);
  });

  it('an HLS master: 360p and 720p video, separate audio, a WebVTT track', async () => {
    const res = await info(media('master.m3u8'));
    expect(res.status).toBe(200);
    const heights = res.body.formats.filter((f: any) => f.has_video).map((f: any) => f.height).sort((a: number, b: number) => a - b);
    expect(heights).toEqual([360, 720]);
    expect(res.body.formats.some((f: any) => f.has_audio && !f.has_video)).toBe(true);
    expect(res.body.duration).toBeCloseTo(6, 0);
    expect(res.body.subtitles.map((s: any) => s.language)).toContain('en');
  });

  it('a page with two videos returns them as entries', async () => {
    const res = await info(media('two-videos.html'));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('playlist');
    expect(res.body.entries).toHaveLength(2);
    expect(res.body.entries.map((e: any) => Math.round(e.duration))).toEqual([6, 3]);
  });

  it('a cached answer is free; POST works the same', async () => {
    const before = (await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance;
    const again = await call(t.url, 'POST', '/v1/info', { key: acct.key, body: { url: media('direct.mp4') } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ cached: true, credits_charged: 0, id: 'direct' });
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(before);
  });

  it('a missing video is media_unavailable and costs nothing', async () => {
    const before = (await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance;
    const res = await info(media('gone.mp4'));
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('media_unavailable');
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(before);
  });

  it('an empty account gets 402 before any work', async () => {
    const broke = await t.account(0);
    const res = await call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(media('second.mp4'))}`, { key: broke.key });
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 'insufficient_credits', required: 1, available: 0 });
  });
});

describe('/v1/info limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ MAX_MEDIA_DURATION_SECONDS: '4' }, false);
  });
  afterAll(async () => t.close());

  it('refuses media longer than MAX_MEDIA_DURATION_SECONDS with media_too_long, free', async () => {
    const acct = await t.account(3);
    const res = await call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(media('direct.mp4'))}`, { key: acct.key });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('media_too_long');
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(3);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, media, startApp, type TestApp } from './support/app.js';

const FIXTURES = path.resolve('test/.fixtures');

async function upload(base: string, key: string, bytes: Buffer | string, filename: string) {
  const form = new FormData();
  form.append('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], { type: 'video/mp4' }), filename);
  const res = await fetch(`${base}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

// Every field is validated fully at submit: what would fail in the worker (or cost more than it
// says) is refused before any charge.
describe('limits on what a request may ask', () => {
  let t: TestApp;
  let acct: { id: string; key: string };

  beforeAll(async () => {
    const direct = readFileSync(path.join(FIXTURES, 'direct.mp4')).length;
    // Room for one upload of direct.mp4 and a bit, not two.
    t = await startApp({ MAX_UPLOAD_STORAGE_MB: String(Math.ceil((direct * 1.5) / 1024 / 1024)), MAX_MEDIA_DURATION_SECONDS: '600' }, false);
    acct = await t.account(10);
  });
  afterAll(async () => t.close());

  const refused = async (body: Record<string, unknown>, field: string) => {
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4'), ...body } });
    expect([res.status, res.body.code]).toEqual([422, 'validation_failed']);
    expect(JSON.stringify(res.body.errors ?? res.body.detail)).toContain(field);
  };

  it('refuses trims that could never work', async () => {
    await refused({ trim: [] }, 'trim');
    await refused({ trim: { start: 0, end: 1e308 } }, 'trim.end');
    await refused({ trim: { start: 5, end: 5 } }, 'trim.end');
  });

  it('refuses every stream at once', async () => {
    await refused({ format_id: 'all' }, 'format_id');
    await refused({ format_id: 'mergeall' }, 'format_id');
    await refused({ format_id: '137+all' }, 'format_id');
    await refused({ subtitles: ['en', 'all'] }, 'subtitles');
  });

  it('refuses metadata over 16 KB on every endpoint that echoes it', async () => {
    const metadata = { blob: 'x'.repeat(17 * 1024) };
    await refused({ metadata }, 'metadata');
    for (const [route, body] of [
      ['/v1/transcribe', { url: media('direct.mp4'), metadata }],
      ['/v1/translate', { url: media('direct.mp4'), target_language: 'es', metadata }],
    ] as const) {
      const res = await call(t.url, 'POST', route, { key: acct.key, body });
      expect([route, res.status, res.body.code]).toEqual([route, 422, 'validation_failed']);
    }
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(10);
  });

  it('keeps an account within its upload storage quota', async () => {
    const owner = await t.account(0);
    const bytes = readFileSync(path.join(FIXTURES, 'direct.mp4'));
    expect((await upload(t.url, owner.key, bytes, 'one.mp4')).status).toBe(201);
    const second = await upload(t.url, owner.key, bytes, 'two.mp4');
    expect([second.status, second.body.code]).toEqual([413, 'file_too_large']);
    expect(second.body.detail).toContain('MB of upload storage');
    // Another account has its own quota.
    expect((await upload(t.url, acct.key, bytes, 'mine.mp4')).status).toBe(201);
  });

  it('refuses an upload that is really a playlist, whatever its name', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-playlist-'));
    const secret = path.join(dir, 'secret.mp4');
    writeFileSync(secret, readFileSync(path.join(FIXTURES, 'second.mp4')));
    const playlist = `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${secret}\n#EXT-X-ENDLIST\n`;
    const res = await upload(t.url, acct.key, playlist, 'holiday.mp4');
    expect([res.status, res.body.code]).toEqual([415, 'unsupported_media']);
  });
});

describe('an account that cannot pay is refused before expensive planning', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, false);
  });
  afterAll(async () => t.close());

  it('answers 402 for transcribe and translate without resolving the URL', async () => {
    const broke = await t.account(0);
    const url = `${media('direct.mp4')}?never-resolved=${Date.now()}`;
    for (const [route, body] of [
      ['/v1/transcribe', { url }],
      ['/v1/translate', { url, target_language: 'es' }],
    ] as const) {
      const res = await call(t.url, 'POST', route, { key: broke.key, body });
      expect([route, res.status, res.body.code]).toEqual([route, 402, 'insufficient_credits']);
    }
    // Nothing was resolved on its behalf: the info is not in the cache.
    const rich = await t.account(3);
    expect((await call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(url)}`, { key: rich.key })).body.cached).toBe(false);
  });
});

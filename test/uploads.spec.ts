import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { closeSync, createReadStream, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { call, fetchAndProbe, freePort, startApp, testEnv, waitForJob, type TestApp } from './support/app.js';
import { spawnServer, stop, waitUntil } from './support/processes.js';
import { checkAnswer } from './support/contract.js';

const FIXTURES = path.resolve('test/.fixtures');

async function upload(base: string, key: string, bytes: Buffer | string, filename: string, type = 'video/mp4') {
  const form = new FormData();
  form.append('file', new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)], { type }), filename);
  const res = await fetch(`${base}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
  return { status: res.status, body: (await res.json()) as any };
}

describe('POST /v1/uploads and upload_id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t.close());

  it('accepts a video, probes it, and downloads can convert it (the upload stays usable)', async () => {
    const acct = await t.account(5);
    const up = await upload(t.url, acct.key, readFileSync(path.join(FIXTURES, 'direct.mp4')), 'My holiday.mp4');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ filename: 'My holiday.mp4', content_type: 'video/mp4', size: statSync(path.join(FIXTURES, 'direct.mp4')).size });
    expect(up.body.duration).toBeCloseTo(6, 0);

    const mp3 = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { upload_id: up.body.upload_id, format: 'mp3' } });
    expect(mp3.status).toBe(202);
    const mp3Job = await waitForJob(t.url, acct.key, mp3.body.job_id);
    expect(mp3Job.status).toBe('completed');
    expect(mp3Job.result.files[0].filename).toBe('My holiday.mp3');
    expect((await fetchAndProbe(mp3Job.result.files[0].url)).acodec).toBe('mp3');

    const same = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { upload_id: up.body.upload_id } });
    const sameJob = await waitForJob(t.url, acct.key, same.body.job_id);
    expect(sameJob.status).toBe('completed');
    expect((await fetchAndProbe(sameJob.result.files[0].url)).height).toBe(360);
    expect((await call(t.url, 'GET', `/v1/uploads/${up.body.upload_id}`, { key: acct.key })).status).toBe(200);
  });

  it('refuses a file ffprobe cannot read with unsupported_media', async () => {
    const acct = await t.account(0);
    const up = await upload(t.url, acct.key, 'just some text, not a video', 'notes.mp4');
    expect([up.status, up.body.code]).toEqual([415, 'unsupported_media']);
  });

  it('uploads are private to their account; url and upload_id are exclusive', async () => {
    const owner = await t.account(5);
    const other = await t.account(5);
    const up = await upload(t.url, owner.key, readFileSync(path.join(FIXTURES, 'second.mp4')), 'a.mp4');
    expect((await call(t.url, 'GET', `/v1/uploads/${up.body.upload_id}`, { key: other.key })).status).toBe(404);
    const stolen = await call(t.url, 'POST', '/v1/download', { key: other.key, body: { upload_id: up.body.upload_id } });
    expect([stolen.status, stolen.body.code]).toEqual([404, 'not_found']);
    expect((await call(t.url, 'GET', '/v1/account', { key: other.key })).body.balance).toBe(5);
    const both = await call(t.url, 'POST', '/v1/download', { key: owner.key, body: { upload_id: up.body.upload_id, url: 'http://127.0.0.1:9/x.mp4' } });
    expect(both.body.errors).toEqual([{ field: 'url', message: 'give exactly one of url and upload_id' }]);
    expect((await call(t.url, 'DELETE', `/v1/uploads/${up.body.upload_id}`, { key: owner.key })).status).toBe(204);
    expect((await call(t.url, 'GET', `/v1/uploads/${up.body.upload_id}`, { key: owner.key })).status).toBe(404);
  });

  it('a request that is not multipart is a validation error', async () => {
    const acct = await t.account(0);
    const res = await call(t.url, 'POST', '/v1/uploads', { key: acct.key, body: { file: 'x' } });
    expect([res.status, res.body.code]).toEqual([422, 'validation_failed']);
  });
});

describe('upload limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ MAX_UPLOAD_SIZE_MB: '1' }, false);
  });
  afterAll(async () => t.close());

  it('refuses a file over MAX_UPLOAD_SIZE_MB with file_too_large and keeps nothing', async () => {
    const acct = await t.account(0);
    const up = await upload(t.url, acct.key, readFileSync(path.join(FIXTURES, 'direct.mp4')), 'big.mp4');
    expect([up.status, up.body.code]).toEqual([413, 'file_too_large']);
    const rows = (await t.db.query('SELECT count(*)::int AS n FROM uploads WHERE account_id = $1', [acct.id])) as Array<{ n: number }>;
    expect(rows[0]!.n).toBe(0);
  });
});

describe('a 200 MB upload to a separate API process', () => {
  let server: ChildProcess & { output: () => string };
  let base: string;
  let key: string;
  let big: string;
  beforeAll(async () => {
    const port = await freePort();
    const env = testEnv(port, { MAX_UPLOAD_SIZE_MB: '300' });
    base = `http://127.0.0.1:${port}`;
    server = spawnServer('api', env);
    await waitUntil(() => fetch(`${base}/health`).then((r) => r.ok, () => false), 20_000, 'the API');
    const t = await startApp({}, false);
    key = (await t.account(0)).key;
    await t.close();
    // A real mp4 followed by 200 MB of padding, which ffprobe ignores.
    big = path.join(os.tmpdir(), `mediary-big-${port}.mp4`);
    const fd = openSync(big, 'w');
    writeSync(fd, readFileSync(path.join(FIXTURES, 'direct.mp4')));
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 200; i++) writeSync(fd, chunk);
    closeSync(fd);
  });
  afterAll(async () => {
    rmSync(big, { force: true });
    await stop(server);
  });

  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) * 1024;

  it('streams to storage: the API’s resident memory grows by less than 64 MB', async () => {
    const boundary = 'mediaryboundary';
    const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const size = statSync(big).size;
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
    const reply = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = http.request(`${base}/v1/uploads`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + size + tail.length),
        },
      }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          try {
            checkAnswer('POST', new URL(`${base}/v1/uploads`), res.statusCode ?? 0, res.headers['content-type'] ?? null, text);
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch (err) {
            reject(err);
          }
        });
      });
      req.on('error', reject);
      req.write(head);
      const file = createReadStream(big);
      file.on('end', () => req.end(tail));
      file.pipe(req, { end: false });
    });
    clearInterval(sampler);
    expect(reply.status).toBe(201);
    expect(reply.body.size).toBe(size);
    const growthMb = (peak - before) / 1024 / 1024;
    console.log(`200 MB upload: API RSS ${Math.round(before / 1048576)} MB → peak ${Math.round(peak / 1048576)} MB (+${growthMb.toFixed(1)} MB)`);
    expect(growthMb).toBeLessThan(64);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { FfmpegRepository } from '../src/platform/tools/ffmpeg.repository.js';
import { openFileHandoff } from '../src/platform/tools/file-handoff.js';
import { ProcessRepository } from '../src/platform/tools/process.repository.js';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';

const FIXTURE = path.resolve('test/.fixtures/direct.mp4');

describe('a probe started before its file exists', () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  const ffmpeg = new FfmpegRepository(config, new ProcessRepository(config));

  it('serves the one file it is given, with ranges, to requests that came before and after; nothing else', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-handoff-'));
    const file = path.join(dir, 'out.bin');
    writeFileSync(file, Buffer.from('0123456789'));
    const handoff = await openFileHandoff();
    try {
      const early = fetch(handoff.url);
      const other = await fetch(new URL('/etc/passwd', handoff.url));
      expect(other.status).toBe(404);
      expect((await fetch(`${handoff.url}x`)).status).toBe(404);
      handoff.give(file);
      expect(await (await early).text()).toBe('0123456789');
      const part = await fetch(handoff.url, { headers: { range: 'bytes=3-5' } });
      expect([part.status, part.headers.get('content-range'), await part.text()]).toEqual([206, 'bytes 3-5/10', '345']);
      const tail = await fetch(handoff.url, { headers: { range: 'bytes=8-' } });
      expect([tail.status, await tail.text()]).toEqual([206, '89']);
      expect((await fetch(handoff.url, { headers: { range: 'bytes=10-' } })).status).toBe(416);
    } finally {
      handoff.close();
    }
    await expect(fetch(handoff.url)).rejects.toThrow();
  });

  it('reads the file handed over seconds after it started exactly as a probe of the file does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-handoff-'));
    const file = path.join(dir, 'later.mp4');
    const pending = (await ffmpeg.probeLater({ timeoutMs: 60_000 }))!;
    await new Promise((r) => setTimeout(r, 3000));
    copyFileSync(FIXTURE, file);
    const [later, direct] = await Promise.all([pending.give(file), ffmpeg.probe(file)]);
    expect(later).not.toBeNull();
    expect(later).toEqual(direct);
  });

  it('says null for a file that is not media, and ends when canceled', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-handoff-'));
    const text = path.join(dir, 'page.mp4');
    writeFileSync(text, '<html>not a video</html>');
    expect(await (await ffmpeg.probeLater({ timeoutMs: 30_000 }))!.give(text)).toBeNull();

    const canceled = (await ffmpeg.probeLater({ timeoutMs: 30_000 }))!;
    const t0 = Date.now();
    canceled.cancel();
    // Its reading is never asked for; giving after cancel gets nothing either.
    expect(await canceled.give(text)).toBeNull();
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(readFileSync(text, 'utf8')).toContain('not a video');
  });
});

describe('a waiting probe never holds the tool slot its file needs', () => {
  it('takes a slot only while another stays free, and what it waits for still runs at once', async () => {
    for (const slots of [1, 2]) {
      const config = loadConfig({ NODE_ENV: 'test', MAX_TOOL_PROCESSES: String(slots) });
      const processes = new ProcessRepository(config);
      const ffmpeg = new FfmpegRepository(config, processes);
      const pending = await ffmpeg.probeLater({ timeoutMs: 30_000 });
      expect([slots, pending === null]).toEqual([slots, slots === 1]);
      // A second one would take the last slot: refused, not queued.
      expect(await ffmpeg.probeLater({ timeoutMs: 30_000 })).toBeNull();
      const t0 = Date.now();
      expect((await processes.run('true', [], { timeoutMs: 10_000 })).exitCode).toBe(0);
      expect(Date.now() - t0).toBeLessThan(5000);
      pending?.cancel();
    }
  });

  describe('a download with MAX_TOOL_PROCESSES=1', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ MAX_TOOL_PROCESSES: '1' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('completes (yt-dlp, then the probe, one at a time)', async () => {
      const acct = await t.account(5);
      const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } });
      expect(res.status).toBe(202);
      const job = await waitForJob(t.url, acct.key, res.body.job_id, 40_000);
      expect([job.status, job.result?.width]).toEqual(['completed', expect.any(Number)]);
    }, 60_000);
  });
});

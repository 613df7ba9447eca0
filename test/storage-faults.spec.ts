import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';

const FIXTURES = path.resolve('test/.fixtures');
const root = typeof process.getuid === 'function' && process.getuid() === 0;

/** A tmpfs of `size` at a new directory: a disk that fills up (or, with `ro`, one that cannot be written). */
function smallDisk(options: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  return dir;
}

// Needs root to mount a small disk; CI runs as root.
(root ? describe : describe.skip)('a full or read-only STORAGE_DIR', () => {
  const disks: string[] = [];
  const apps: TestApp[] = [];

  const appOn = async (options: string) => {
    const dir = smallDisk(options);
    disks.push(dir);
    const t = await startApp({ STORAGE_DIR: dir, JOB_ATTEMPTS: '1' });
    apps.push(t);
    return t;
  };

  beforeAll(() => undefined);
  afterAll(async () => {
    for (const t of apps) await t.close();
    for (const dir of disks) execFileSync('umount', ['-l', dir]);
  });

  it('full: an upload answers 507 storage_unavailable, a download fails as storage_unavailable and is refunded', async () => {
    const t = await appOn('size=512k');
    const acct = await t.account(3);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(readFileSync(path.join(FIXTURES, 'direct.mp4')))], { type: 'video/mp4' }), 'big.mp4');
    const up = await fetch(`${t.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${acct.key}` }, body: form });
    expect([up.status, ((await up.json()) as any).code]).toEqual([507, 'storage_unavailable']);
    // The connection that carried the refused upload is not left hanging for the next request.
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(3);

    const job = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } });
    const done = await waitForJob(t.url, acct.key, job.body.job_id);
    expect([done.status, done.error?.code, done.credits_refunded]).toEqual(['failed', 'storage_unavailable', 1]);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(3);
  });

  it('read-only: a download fails as storage_unavailable and is refunded', async () => {
    const t = await appOn('ro,size=1m');
    const acct = await t.account(3);
    const job = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('second.mp4') } });
    const done = await waitForJob(t.url, acct.key, job.body.job_id);
    expect([done.status, done.error?.code, done.credits_refunded]).toEqual(['failed', 'storage_unavailable', 1]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { QueueRepository } from '../src/platform/tools/queue.repository.js';
import { call, fetchAndProbe, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { spawnServer, stop, waitUntil } from './support/processes.js';

// API in this process (no workers); workers as separate processes, as operators run them.
describe('a worker killed mid-download', () => {
  let t: TestApp;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    t = await startApp({ JOB_LOCK_SECONDS: '2' }, false);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w)));
    await t.close();
  });

  it('is picked up by another worker and completes (never stuck in processing)', async () => {
    const first = spawnServer('worker', t.env);
    workers.push(first);
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=120000') } });
    expect(res.status).toBe(202);
    const id = res.body.job_id as string;
    await waitForJob(t.url, acct.key, id, 30_000, (j) => j.status === 'processing' && j.progress > 5);
    first.kill('SIGKILL');
    await waitUntil(() => first.exitCode !== null || first.signalCode !== null, 5000, 'the worker to die');

    const second = spawnServer('worker', t.env);
    workers.push(second);
    const job = await waitForJob(t.url, acct.key, id, 60_000);
    // A worker crash is a fault of ours, never the job's: the stalled job is retried to the end.
    expect(job).toMatchObject({ status: 'completed', error: null, credits_charged: 1, credits_refunded: 0 });
    const [row] = (await t.db.query('SELECT attempts FROM jobs WHERE id = $1', [id])) as Array<{ attempts: number }>;
    expect(row!.attempts).toBeGreaterThanOrEqual(2);
    const probe = await fetchAndProbe(job.result.files[0].url);
    expect(probe.height).toBe(360);
    expect(probe.bytes).toBe(job.result.files[0].size);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(4);
  });

  it('a job committed while no worker runs is processed once one starts', async () => {
    await Promise.all(workers.map((w) => stop(w)));
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4'), format: 'm4a' } });
    expect(res.status).toBe(202);
    // Committed and queued, with nobody to take it.
    expect(await t.app.get(QueueRepository).state(res.body.job_id)).toBe('waiting');
    expect((await call(t.url, 'GET', `/v1/jobs/${res.body.job_id}`, { key: acct.key })).body.status).toBe('pending');
    workers.push(spawnServer('worker', t.env));
    const job = await waitForJob(t.url, acct.key, res.body.job_id, 30_000);
    expect(job.status).toBe('completed');
    expect((await fetchAndProbe(job.result.files[0].url)).acodec).toBe('aac');
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { QueueRepository } from '../src/platform/tools/queue.repository.js';
import { call, fetchAndProbe, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { spawnServer, stop, waitUntil } from './support/processes.js';

// The default lock (an empty value is unset): a job is taken over at most 1.25 locks after its
// worker died (the lock is renewed every half lock and stalled jobs looked for every quarter).
const DEFAULT_LOCK_SECONDS = loadConfig({}).worker.lockSeconds;

/** Starts a worker process and resolves once it takes jobs. */
async function startWorker(env: Record<string, string>): Promise<ChildProcess & { output: () => string }> {
  const worker = spawnServer('worker', { ...env, LOG_LEVEL: 'log' });
  await waitUntil(() => worker.output().includes('media worker started'), 30_000, 'a worker to start');
  return worker;
}

/** Whether a process has children: an idle worker runs none, the one downloading runs yt-dlp. */
function runsPrograms(pid: number): boolean {
  return spawnSync('pgrep', ['-P', String(pid)]).status === 0;
}

// API in this process (no workers); workers as separate processes, as operators run them.
describe('a worker killed mid-download', () => {
  let t: TestApp;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    t = await startApp({ JOB_LOCK_SECONDS: '' }, false);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w)));
    await t.close();
  });

  it('is taken over by another worker within the lock and completes (never stuck in processing)', async () => {
    // Two workers take jobs before the job is submitted, as in a deployment; the one running it dies.
    workers.push(...(await Promise.all([startWorker(t.env), startWorker(t.env)])));
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=120000') } });
    expect(res.status).toBe(202);
    const id = res.body.job_id as string;
    await waitForJob(t.url, acct.key, id, 30_000, (j) => j.status === 'processing' && j.progress > 5);
    const runner = workers.find((w) => runsPrograms(w.pid!));
    expect(runner).toBeDefined();
    runner!.kill('SIGKILL');
    const killedAt = Date.now();
    const attempts = async () => ((await t.db.query('SELECT attempts FROM jobs WHERE id = $1', [id])) as Array<{ attempts: number }>)[0]!.attempts;
    await waitUntil(async () => (await attempts()) >= 2, 60_000, 'another worker to take the job over');
    // 1.25 locks, and a few seconds for a busy machine (the old 30 s lock took 30–60 s).
    const takenOverAfter = (Date.now() - killedAt) / 1000;
    expect(takenOverAfter).toBeLessThan(DEFAULT_LOCK_SECONDS * 1.25 + 5);

    const job = await waitForJob(t.url, acct.key, id, 60_000);
    // A worker crash is a fault of ours, never the job's: the stalled job is retried to the end.
    expect(job).toMatchObject({ status: 'completed', error: null, credits_charged: 1, credits_refunded: 0 });
    const probe = await fetchAndProbe(job.result.files[0].url);
    expect(probe.height).toBe(360);
    expect(probe.bytes).toBe(job.result.files[0].size);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(4);
    // Two worker starts and two downloads of ~11 s each, on a machine that may be busy.
  }, 150_000);

  it('a worker frozen past its lock and thawed after another finished the job: settled once, the finished files untouched', async () => {
    const alive = workers.filter((w) => w.exitCode === null && w.signalCode === null);
    while (alive.length < 2) {
      const w = await startWorker(t.env);
      workers.push(w);
      alive.push(w);
    }
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=120000') } });
    expect(res.status).toBe(202);
    const id = res.body.job_id as string;
    await waitForJob(t.url, acct.key, id, 30_000, (j) => j.status === 'processing' && j.progress > 5);
    const frozen = alive.find((w) => runsPrograms(w.pid!));
    expect(frozen).toBeDefined();
    // Frozen, not dead: its yt-dlp goes on downloading, it renews no lock, and it wakes up later
    // believing the job is still its own.
    frozen!.kill('SIGSTOP');
    let job;
    try {
      job = await waitForJob(t.url, acct.key, id, 90_000);
    } finally {
      frozen!.kill('SIGCONT');
    }
    expect(job).toMatchObject({ status: 'completed', error: null, credits_charged: 1, credits_refunded: 0 });
    const file = job.result.files[0];
    // Taken over: the job ran again elsewhere, and its files are that run's (attempt 2 or later).
    const [{ attempts }] = (await t.db.query('SELECT attempts FROM jobs WHERE id = $1', [id])) as Array<{ attempts: number }>;
    expect(attempts).toBeGreaterThanOrEqual(2);

    // The thawed run finishes (or gives up) on its own; give it the time its download needs.
    await waitUntil(() => !runsPrograms(frozen!.pid!), 60_000, 'the thawed worker to end its run');
    await new Promise((r) => setTimeout(r, 3000));
    const after = await waitForJob(t.url, acct.key, id, 5_000);
    expect(after).toMatchObject({ status: 'completed', error: null, credits_charged: 1, credits_refunded: 0 });
    expect(after.result.files[0]).toEqual(file);
    const probe = await fetchAndProbe(file.url);
    expect([probe.height, probe.bytes]).toEqual([360, file.size]);
    const ledger = (await t.db.query(`SELECT kind, amount::int AS amount FROM ledger_entries WHERE job_id = $1 ORDER BY id`, [id])) as Array<{ kind: string; amount: number }>;
    expect(ledger).toEqual([{ kind: 'charge', amount: -1 }]);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(4);
    // What the job record serves is the winning attempt's own copy: a late run stores beside it.
    const [{ outputs }] = (await t.db.query('SELECT outputs FROM jobs WHERE id = $1', [id])) as Array<{ outputs: Array<{ key: string }> }>;
    expect(outputs[0]!.key).toBe(`outputs/${acct.id}/${id}/${attempts}/${file.filename}`);
  }, 200_000);

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

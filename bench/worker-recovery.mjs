#!/usr/bin/env node
// How long a job waits after its worker is killed: an API process and two worker processes, a
// throttled download taken by the first worker, SIGKILL to that worker once the download is under
// way; then the time until the second worker takes the job over (its attempt starts) and until
// the job is completed. Usage: node bench/worker-recovery.mjs [runs=3]
// JOB_LOCK_SECONDS is passed through (unset: the build's default). Needs a build in dist/,
// PostgreSQL and Redis on 127.0.0.1, ffmpeg and yt-dlp. BENCH_TARGET measures another checkout.
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { makeFixtures } from '../test/support/fixtures.mjs';
import { serverUrl, startMediaServer } from '../test/support/media-server.mjs';
import {
  ROOT, TMP, dbUrl, dropRedisPrefix, ensureAccounts, ensureDatabase, freePort, log, serverEnv, sleep, spawnTracked, stopAll, stopChild, waitHttp,
} from './lib.mjs';

const RUNS = Number(process.argv[2] ?? 3);
const DB = process.env.BENCH_RECOVERY_DB ?? 'mediary_bench_recovery';
// direct.mp4 (~6 s, ~0.5 MB) at 80 KB/s: a download of several seconds, long enough to be killed mid-way.
const SLOW_URL_PATH = 'slow/direct.mp4?bps=80000';
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function main() {
  ensureDatabase(DB);
  const [account] = await ensureAccounts('recovery', 1, { db: DB });
  makeFixtures();
  const media = await startMediaServer('127.0.0.1');
  const db = new pg.Client({ connectionString: dbUrl(DB) });
  await db.connect();
  const prefix = `bench_recovery_${process.pid}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = serverEnv({ PORT: String(port), REDIS_PREFIX: prefix, STORAGE_DIR: mkdtempSync(path.join(TMP, 'recovery-')), LOG_LEVEL: 'log' }, DB);
  const api = spawnTracked(process.execPath, [MAIN, 'api'], { cwd: ROOT, env });
  await waitHttp(`${base}/health`, api);
  const worker = async () => {
    const child = spawnTracked(process.execPath, [MAIN, 'worker'], { cwd: ROOT, env });
    await until(() => child.output.includes('media worker started'), 30_000, 'a worker to start');
    return child;
  };
  const job = async (id) => (await db.query('SELECT status, progress, attempts FROM jobs WHERE id = $1', [id])).rows[0];

  const results = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const first = await worker();
      const res = await fetch(`${base}/v1/download`, {
        method: 'POST',
        headers: { authorization: `Bearer ${account.api_key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${serverUrl(media)}/${SLOW_URL_PATH}` }),
      });
      if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${await res.text()}`);
      const { job_id: id } = await res.json();
      await until(async () => (await job(id)).progress >= 20, 60_000, 'the download to be under way');
      // The second worker is idle and running before the first dies, as in a deployment.
      const second = await worker();
      first.kill('SIGKILL');
      const killedAt = Date.now();
      await until(async () => (await job(id)).attempts >= 2, 300_000, 'another worker to take the job over');
      const takenOver = (Date.now() - killedAt) / 1000;
      const done = await until(async () => {
        const j = await job(id);
        return ['completed', 'failed', 'canceled'].includes(j.status) && j;
      }, 300_000, 'the job to end');
      const ended = (Date.now() - killedAt) / 1000;
      results.push({ run, status: done.status, takenOver, ended });
      log(`run ${run}: ${done.status}; taken over ${takenOver.toFixed(1)} s and ended ${ended.toFixed(1)} s after SIGKILL`);
      await stopChild(second);
    }
  } finally {
    await db.end();
    await stopAll();
    media.close();
    await dropRedisPrefix(prefix);
  }
  const lock = process.env.JOB_LOCK_SECONDS ?? 'default';
  const table = [
    `JOB_LOCK_SECONDS=${lock} (${path.basename(ROOT)})`,
    '',
    '| run | outcome | taken over after SIGKILL | completed after SIGKILL |',
    '|---|---|---|---|',
    ...results.map((r) => `| ${r.run} | ${r.status} | ${r.takenOver.toFixed(1)} s | ${r.ended.toFixed(1)} s |`),
  ].join('\n');
  writeFileSync(path.join(TMP, 'recovery-results.json'), JSON.stringify({ lock, root: ROOT, results }, null, 2));
  process.stdout.write(`${table}\n`);
}

main().catch(async (err) => {
  log(err.stack ?? String(err));
  await stopAll();
  process.exit(1);
});

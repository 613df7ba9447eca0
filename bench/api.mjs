#!/usr/bin/env node
// HTTP throughput of the API against a bare Fastify server and pgbench's ceiling for the job
// creation statement. Usage: node bench/api.mjs [seconds per measurement, default 15]
// Needs a build in dist/ (npm run build), PostgreSQL and Redis on 127.0.0.1, ffmpeg, pgbench.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  BENCH_DIR, busyPids, DB_NAME, ROOT, TMP, cpuMeter, dropRedisPrefix, ensureAccounts, ensureDatabase, ffmpeg, formatCpu, freePort,
  loadavg, log, machine, percentile, psql, serverEnv, sleep, spawnTracked, startMediaServer, stopAll, stopChild, waitHttp, waitQuiet,
} from './lib.mjs';

const SECONDS = Number(process.argv[2] ?? 15);
if (!Number.isFinite(SECONDS) || SECONDS < 1) throw new Error('usage: node bench/api.mjs [seconds]');
const CONNECTIONS = 50;
const WARMUP_SECONDS = Math.min(3, SECONDS);
const ACCOUNTS = 100;
const DOWNLOAD_BODY = JSON.stringify({ url: 'http://127.0.0.1:9/x.mp4' });

const prefix = `bench_api_${process.pid}`;
const storageDir = path.join(TMP, `storage-${prefix}`);
const mediaDir = path.join(TMP, 'media');
const results = [];

async function main() {
  const started = new Date();
  log(`machine: ${JSON.stringify(machine())}`);
  ensureDatabase();
  const accounts = await ensureAccounts('bench', ACCOUNTS);
  const keys = accounts.map((a) => a.api_key);

  mkdirSync(mediaDir, { recursive: true });
  const sample = path.join(mediaDir, 'sample5s.mp4');
  if (!existsSync(sample)) {
    log('generating a 5 s test mp4');
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-t', '5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', sample]);
  }
  const media = await startMediaServer(mediaDir);

  // (a) reference: bare Fastify, alone on the machine (stopped before the API starts)
  const helloPort = await freePort();
  const hello = spawnTracked(process.execPath, [path.join(BENCH_DIR, 'hello-server.mjs'), String(helloPort)], { cwd: ROOT });
  await waitHttp(`http://127.0.0.1:${helloPort}/`, hello);
  await measure('a', 'bare Fastify hello (reference)', hello.pid, { url: `http://127.0.0.1:${helloPort}/` });
  await stopChild(hello);

  // the API, HTTP only: jobs are charged, recorded and queued but never run
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  rmSync(storageDir, { recursive: true, force: true });
  const api = spawnTracked(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js'), 'api'], {
    cwd: ROOT,
    env: serverEnv({ PORT: String(port), ROLE: 'api', REDIS_PREFIX: prefix, STORAGE_DIR: storageDir }),
  });
  await waitHttp(`${base}/health`, api);
  const auth = (key) => ({ authorization: `Bearer ${key}` });

  // (b) one account: every request updates the same accounts row
  let n = 0;
  await measure('b', 'POST /v1/download, 1 account', api.pid, {
    url: base,
    requests: [
      {
        method: 'POST',
        path: '/v1/download',
        setupRequest: (req) => ({ ...req, headers: { 'content-type': 'application/json', ...auth(keys[0]) }, body: DOWNLOAD_BODY }),
      },
    ],
  }, { method: 'POST', url: `${base}/v1/download`, headers: { 'content-type': 'application/json', ...auth(keys[0]) }, body: DOWNLOAD_BODY });

  // (c) the same, each request on the next of 100 accounts
  await measure('c', `POST /v1/download, ${ACCOUNTS} accounts`, api.pid, {
    url: base,
    requests: [
      {
        method: 'POST',
        path: '/v1/download',
        setupRequest: (req) => ({ ...req, headers: { 'content-type': 'application/json', ...auth(keys[n++ % keys.length]) }, body: DOWNLOAD_BODY }),
      },
    ],
  });

  // (d) reading one existing job
  const created = await fetch(`${base}/v1/download`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth(keys[0]) }, body: DOWNLOAD_BODY });
  const { job_id: jobId } = await created.json();
  if (created.status !== 202 || !jobId) throw new Error(`could not create a job: ${created.status}`);
  await measure('d', 'GET /v1/jobs/{id}', api.pid, { url: `${base}/v1/jobs/${jobId}`, headers: auth(keys[0]) });

  // (e) cached /v1/info: primed once against a real file on the local media server
  const infoUrl = `${base}/v1/info?url=${encodeURIComponent(`${media.base}/sample5s.mp4`)}`;
  const prime = await fetch(infoUrl, { headers: auth(keys[0]) });
  const primed = await prime.json();
  const again = await (await fetch(infoUrl, { headers: auth(keys[0]) })).json();
  if (prime.status !== 200 || again.cached !== true) throw new Error(`priming /v1/info failed: ${prime.status} ${JSON.stringify(primed).slice(0, 300)}`);
  log(`/v1/info primed (duration ${primed.duration}, ${JSON.stringify(again).length} bytes per answer)`);
  await measure('e', 'GET /v1/info (cached)', api.pid, { url: infoUrl, headers: auth(keys[0]) });

  await stopChild(api);
  await stopChild(media.child);

  // (f) pgbench: the database's own ceiling for the job-creation statement
  await pgbench('f', `pgbench: job-creation statement, ${ACCOUNTS} accounts`, accounts.map((a) => a.account_id));
  // (g) for (b): the same statement when every transaction hits one account's row
  await pgbench('g', 'pgbench: the same, 1 account', accounts.map(() => accounts[0].account_id));

  const table = render(started);
  process.stdout.write(`${table}\n`);
  writeFileSync(path.join(TMP, 'api-results.json'), JSON.stringify({ started, seconds: SECONDS, results }, null, 1));
}

/** Warm-up, then the measured run; records req/s, p50, p99, non-2xx, CPU per process and load. */
async function measure(id, name, serverPid, opts, probe) {
  const waited = await waitQuiet(name);
  log(`${id}) ${name}: warm-up ${WARMUP_SECONDS} s`);
  await autocannon({ ...opts, connections: CONNECTIONS, duration: WARMUP_SECONDS });
  if (busyPids().length) await waitQuiet(name);
  const loadStart = loadavg();
  const db0 = dbCommits();
  const cpu = cpuMeter({ [serverPid]: 'server', [process.pid]: 'autocannon' });
  log(`${id}) ${name}: measuring ${SECONDS} s (load ${loadStart})`);
  const r = await autocannon({ ...opts, connections: CONNECTIONS, duration: SECONDS });
  const cpuUse = cpu();
  const loadEnd = loadavg();
  await sleep(1500); // backends flush their statistics at most once a second
  const row = {
    id,
    name,
    dbTxPerRequest: r.requests.total ? (dbCommits() - db0) / r.requests.total : 0,
    rps: Math.round(r.requests.average),
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])),
    cpu: cpuUse,
    loadStart,
    loadEnd,
    waitedForQuiet: waited,
  };
  if (r.non2xx > 0 && probe) {
    const res = await fetch(probe.url, probe);
    row.sampleNon2xx = `${res.status} ${(await res.text()).slice(0, 200)}`;
  }
  results.push(row);
  log(`${id}) ${row.rps} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx}, cpu ${formatCpu(cpuUse)}`);
  await sleep(2000);
}

/** Transactions committed in the benchmark database so far (each autocommit statement is one). */
const dbCommits = () => Number(psql(DB_NAME, `SELECT xact_commit FROM pg_stat_database WHERE datname = '${DB_NAME}'`));

async function pgbench(id, name, accountIds) {
  const script = path.join(BENCH_DIR, 'job-creation.sql');
  const logDir = path.join(TMP, `pgbench-${process.pid}`);
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const args = (secs, withLog) => [
    '-h', '127.0.0.1', '-U', 'postgres', '-n', '-c', String(CONNECTIONS), '-j', '2', '-T', String(secs),
    '-D', `accounts=${accountIds.join(',')}`,
    ...(withLog ? ['-l', '--log-prefix', path.join(logDir, 'tx')] : []),
    '-f', script, DB_NAME,
  ];
  const run = (a) =>
    new Promise((resolve, reject) => {
      const child = spawn('pgbench', a, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`pgbench exited ${code}:\n${out}`))));
    });
  const waited = await waitQuiet(name);
  log(`${id}) ${name}: warm-up ${WARMUP_SECONDS} s`);
  await run(args(WARMUP_SECONDS, false));
  const loadStart = loadavg();
  const db0 = dbCommits();
  const cpu = cpuMeter();
  log(`${id}) ${name}: measuring ${SECONDS} s (load ${loadStart})`);
  // pgbench's backends exit with it: read their CPU shortly before the end.
  const cpuLater = sleep(Math.max(500, SECONDS * 1000 - 500)).then(cpu);
  const out = await run(args(SECONDS, true));
  const cpuUse = await cpuLater;
  const loadEnd = loadavg();
  await sleep(1500);
  const commits = dbCommits() - db0;
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
  const lat = [];
  for (const f of readdirSync(logDir)) {
    for (const line of readFileSync(path.join(logDir, f), 'utf8').split('\n')) {
      const us = Number(line.split(' ')[2]);
      if (Number.isFinite(us) && line) lat.push(us / 1000);
    }
  }
  lat.sort((x, y) => x - y);
  rmSync(logDir, { recursive: true, force: true });
  const row = {
    id,
    name,
    rps: Math.round(tps),
    total: lat.length,
    dbTxPerRequest: lat.length ? commits / lat.length : 0,
    p50: Number(percentile(lat, 50).toFixed(2)),
    p99: Number(percentile(lat, 99).toFixed(2)),
    non2xx: failed,
    errors: 0,
    cpu: cpuUse,
    loadStart,
    loadEnd,
    waitedForQuiet: waited,
    command: `pgbench ${args(SECONDS, true).map((a) => (a.startsWith('accounts=') ? 'accounts=<100 account ids, comma-separated>' : a)).join(' ')}`,
  };
  results.push(row);
  log(`${id}) ${row.rps} tps, p50 ${row.p50} ms, p99 ${row.p99} ms, failed ${failed}, cpu ${formatCpu(cpuUse)}`);
}

function render(started) {
  const lines = [
    `Run ${started.toISOString()}, ${SECONDS} s per measurement, ${CONNECTIONS} connections (autocannon in the benchmark process; pgbench -c ${CONNECTIONS} -j 2)`,
    '',
    '| | benchmark | req/s | p50 ms | p99 ms | non-2xx | errors | DB tx/req | CPU (% of one core) | loadavg start → end |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.id} | ${r.name} | ${r.rps.toLocaleString('en-US')} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} | ${r.dbTxPerRequest.toFixed(2)} | ${formatCpu(r.cpu)} | ${r.loadStart} → ${r.loadEnd} |`,
    );
  }
  const byId = Object.fromEntries(results.map((r) => [r.id, r]));
  if (byId.f && byId.c) {
    lines.push('', `Job creation vs pgbench (f): 1 account ${(byId.b.rps / byId.f.rps).toFixed(2)}×, ${ACCOUNTS} accounts ${(byId.c.rps / byId.f.rps).toFixed(2)}× (goal ≥ 0.5×, p99 < 50 ms)`);
    if (byId.g) lines.push(`1 account vs pgbench on 1 account (g): ${(byId.b.rps / byId.g.rps).toFixed(2)}×`);
  }
  for (const r of results) if (r.sampleNon2xx) lines.push(`- ${r.id}) a non-2xx answer: ${r.sampleNon2xx}`);
  return lines.join('\n');
}

main()
  .catch((err) => {
    process.exitCode = 1;
    log(`failed: ${err.stack ?? err}`);
  })
  .finally(async () => {
    await stopAll();
    // The jobs this run queued will never run; marked canceled (no refund: a benchmark database)
    // so the unfinished-jobs index stays small for the next run.
    try {
      psql(DB_NAME, "UPDATE jobs SET status = 'canceled', completed_at = now(), updated_at = now() WHERE status IN ('pending', 'processing')");
    } catch (err) {
      log(`could not cancel leftover jobs: ${err.message}`);
    }
    await dropRedisPrefix(prefix).catch(() => 0);
    rmSync(storageDir, { recursive: true, force: true });
  });

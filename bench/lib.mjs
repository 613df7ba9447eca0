// Shared helpers for the benchmarks in bench/. Plain Node ESM; talks only to 127.0.0.1.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout whose build (dist/) is measured: this one, or BENCH_TARGET (e.g. an older commit's clone, for a before/after run with the same scripts). */
export const ROOT = path.resolve(process.env.BENCH_TARGET ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const TMP = '/tmp/mediary-bench';
mkdirSync(TMP, { recursive: true });

/** BENCH_DB names another database, so that benchmarks run by different people do not share one. */
export const DB_NAME = process.env.BENCH_DB ?? 'mediary_bench';
export const dbUrl = (db = DB_NAME) => `postgres://postgres@127.0.0.1:5432/${db}`;
export const REDIS_URL = 'redis://127.0.0.1:6379';
export const NO_LIMITS = JSON.stringify({
  jobs: { minute: 10_000_000, hour: 10_000_000 },
  read: { minute: 10_000_000, hour: 10_000_000 },
  info: { minute: 10_000_000, hour: 10_000_000 },
});

export const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- child processes and cleanup

const children = new Set();

/** Spawns a child that is killed when this process ends, however it ends. */
export function spawnTracked(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  children.add(child);
  child.on('exit', () => children.delete(child));
  child.output = '';
  const keep = (d) => {
    child.output = (child.output + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the child has exited. */
export async function stopChild(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll() {
  await Promise.all([...children].map((c) => stopChild(c)));
}

process.on('exit', () => {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: stopping children`);
    void stopAll().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------- machine state

/** Is anything that would pollute a measurement (jest, tsc) running? Returns its pids. */
export function busyPids() {
  const res = spawnSync('pgrep', ['-f', 'jest|tsc'], { encoding: 'utf8' });
  return res.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s && Number(s) !== process.pid);
}

/** CPU (% of one core) used in the next `ms` by processes that are not this benchmark's. */
async function foreignCpu(ms = 2000) {
  const ours = { [process.pid]: 'ours' };
  for (const c of children) ours[c.pid] = 'ours';
  const stop = cpuMeter(ours);
  await sleep(ms);
  const pct = stop();
  delete pct.ours;
  // kernel threads (writeback, RCU, …) are mostly our own I/O echoing, not another user's work
  for (const k of Object.keys(pct)) if (/^(kworker|ksoftirqd|kdamond|kswapd|rcu_|migration|jbd2)/.test(k)) delete pct[k];
  const total = Object.values(pct).reduce((a, b) => a + b, 0);
  return { total, pct };
}

/**
 * Waits (polling every 20 s, up to 10 min) until no jest/tsc runs and other processes use less
 * than a quarter of a core. Returns the seconds waited (-1: gave up and measured anyway).
 */
/** How long waitQuiet waits for the machine to calm down before measuring anyway (BENCH_QUIET_WAIT_SECONDS, default 600). */
const QUIET_WAIT_MS = Number(process.env.BENCH_QUIET_WAIT_SECONDS ?? 600) * 1000;

export async function waitQuiet(label) {
  const started = Date.now();
  for (;;) {
    const pids = busyPids();
    const cpu = pids.length ? null : await foreignCpu();
    if (pids.length === 0 && cpu.total < 25) return Math.round((Date.now() - started) / 1000);
    const why = pids.length ? `jest/tsc running (pids ${pids.join(',')})` : `other processes busy (${formatCpu(cpu.pct)})`;
    if (Date.now() - started > QUIET_WAIT_MS) {
      log(`${label}: ${why} after ${QUIET_WAIT_MS / 1000} s of waiting; measuring anyway`);
      return -1;
    }
    log(`${label}: ${why}; waiting 20 s`);
    await sleep(20_000);
  }
}

export const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

export function machine() {
  const v = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return (r.stdout || r.stderr || '').trim().split('\n')[0];
  };
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memGiB: (os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    postgres: v('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-tAc', 'SHOW server_version']),
    redis: (spawnSync('redis-cli', ['-u', REDIS_URL, 'INFO', 'server'], { encoding: 'utf8' }).stdout.match(/redis_version:(\S+)/) ?? [])[1] ?? 'unknown',
    ytdlp: v('yt-dlp', ['--version']),
    ffmpeg: v('ffmpeg', ['-version']),
  };
}

// ---------------------------------------------------------------- network

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx (or the child dies / the timeout passes). */
export async function waitHttp(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`server exited ${child.exitCode} before answering:\n${child.output}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    await sleep(200);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${child?.output ?? ''}`);
}

// ---------------------------------------------------------------- database and accounts

export function psql(db, sql) {
  const r = spawnSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-tAc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Creates mediary_bench when missing and migrates it with the build in dist/. */
export function ensureDatabase(db = DB_NAME) {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` or `node scripts/setup.mjs` first');
  if (psql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${db}'`) !== '1') {
    log(`creating database ${db}`);
    const r = spawnSync('createdb', ['-h', '127.0.0.1', '-U', 'postgres', db], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`createdb failed: ${r.stderr}`);
  }
  const m = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'src', 'migrate.js')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: dbUrl(db), LOG_LEVEL: 'error' },
  });
  if (m.status !== 0) throw new Error(`migration failed: ${m.stderr || m.stdout}`);
}

export function serverEnv(extra = {}, db = DB_NAME) {
  return {
    ...process.env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl(db),
    REDIS_URL,
    ALLOW_PRIVATE_NETWORKS: 'true',
    RATE_LIMITS: NO_LIMITS,
    LOG_LEVEL: 'error',
    ...extra,
  };
}

function cliRun(args, db) {
  return new Promise((resolve, reject) => {
    const child = spawnTracked(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli.js'), ...args], {
      cwd: ROOT,
      env: serverEnv({ REDIS_PREFIX: 'mediary_bench_cli' }, db),
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`cli ${args[0]} exited ${code}: ${child.output}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (err) {
        reject(err);
      }
    });
  });
}

const cliCreateAccount = (name, credits, db) => cliRun(['account:create', '--name', name, '--credits', String(credits)], db);

/**
 * `count` accounts named `${group}-NNN`, each with ample credits, created with the CLI. The keys
 * are remembered in /tmp so later runs reuse them (the CLI boots Nest: ~1-2 s per account); a
 * remembered account that is gone from the database, or low on credits, is replaced / topped up.
 */
export async function ensureAccounts(group, count, { credits = 1_000_000_000, db = DB_NAME } = {}) {
  const file = path.join(TMP, `accounts-${db}-${group}.json`);
  let known = [];
  try {
    known = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    known = [];
  }
  const ids = known.map((a) => `'${a.account_id}'`).join(',');
  const balances = new Map(
    ids
      ? psql(db, `SELECT id || ' ' || balance FROM accounts WHERE id IN (${ids})`)
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(' '))
          .map(([id, b]) => [id, Number(b)])
      : [],
  );
  known = known.filter((a) => balances.has(a.account_id)).slice(0, count);
  const low = known.filter((a) => balances.get(a.account_id) < credits / 2);
  for (const a of low) {
    await cliRun(['credits:grant', '--account', a.account_id, '--amount', String(credits), '--reason', 'bench top-up'], db);
  }
  const missing = count - known.length;
  if (missing > 0) log(`creating ${missing} account(s) "${group}-*" with the CLI`);
  const fresh = [];
  let next = known.length;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const a = await cliCreateAccount(`${group}-${String(n).padStart(3, '0')}`, credits, db);
      fresh.push({ account_id: a.account_id, api_key: a.api_key });
    }
  };
  await Promise.all(Array.from({ length: Math.min(3, Math.max(missing, 0)) }, worker));
  known = [...known, ...fresh];
  writeFileSync(file, JSON.stringify(known, null, 1));
  return known;
}

// ---------------------------------------------------------------- media

/** Starts bench/media-server.mjs serving `dir` on 127.0.0.1; returns { child, base }. */
export async function startMediaServer(dir) {
  const port = await freePort();
  const child = spawnTracked(process.execPath, [path.join(BENCH_DIR, 'media-server.mjs'), dir, String(port)]);
  const base = `http://127.0.0.1:${port}`;
  await waitHttp(`${base}/__health`, child, 10_000);
  return { child, base };
}

export const TEN_MINUTES_SECONDS = 600;

/**
 * Ten minutes of 1280x720 at a constant 2.5 Mb/s with a keyframe every 2 s, the index up front,
 * and a tone (~190 MB): the long video of the preview and fingerprint benchmarks; made once, cached.
 */
export function ensureTenMinutes720p() {
  const dir = path.join(TMP, 'media-preview');
  const file = path.join(dir, 'ten-minutes-720p.mp4');
  mkdirSync(dir, { recursive: true });
  if (existsSync(file) && statSync(file).size > 150e6) return file;
  log(`generating ${file}`);
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(TEN_MINUTES_SECONDS),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-b:v', '2500k', '-minrate', '2500k', '-maxrate', '2500k', '-bufsize', '5000k',
    '-x264-params', 'nal-hrd=cbr', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', `${file}.part.mp4`,
  ]);
  renameSync(`${file}.part.mp4`, file);
  log(`${path.basename(file)}: ${(statSync(file).size / 1e6).toFixed(1)} MB`);
  return file;
}

export function ffmpeg(args) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/** Deletes every Redis key under `prefix:` (only the benchmark's own, unique prefix). */
export async function dropRedisPrefix(prefix) {
  if (!/^bench_[a-z0-9_]+$/.test(prefix)) throw new Error(`refusing to delete keys of prefix ${prefix}`);
  const { Redis } = await import('ioredis');
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) n += await r.unlink(...keys);
    } while (cursor !== '0');
    return n;
  } finally {
    r.disconnect();
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

// ---------------------------------------------------------------- CPU accounting

const TICK = 100; // USER_HZ on Linux

function procTimes() {
  const out = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      out.set(Number(name), { comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** The script a node process runs, for labels: `node dist/src/main.js api` → main.js. */
function nodeScript(pid) {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1);
    const script = args.find((a) => a && !a.startsWith('-'));
    return script ? `${path.basename(script)}[${pid}]` : `[${pid}]`;
  } catch {
    return `[${pid}]`;
  }
}

/**
 * CPU used per process group between `start()` and the returned function's call, in % of one
 * core. `labels` maps pids to names; other processes are grouped by command name.
 */
export function cpuMeter(labels = {}) {
  const t0 = Date.now();
  const a = procTimes();
  return () => {
    const secs = (Date.now() - t0) / 1000;
    const b = procTimes();
    const groups = {};
    for (const [pid, { comm, ticks }] of b) {
      const before = a.get(pid);
      const used = ticks - (before && before.comm === comm ? before.ticks : 0);
      if (used <= 0) continue;
      const label = labels[pid] ?? (comm === 'node' ? `node ${nodeScript(pid)}` : comm);
      groups[label] = (groups[label] ?? 0) + used;
    }
    const pct = {};
    for (const [k, v] of Object.entries(groups).sort((x, y) => y[1] - x[1])) pct[k] = Math.round((v / TICK / secs) * 100);
    return pct;
  };
}

export const formatCpu = (pct) =>
  Object.entries(pct)
    .filter(([, v]) => v >= 3)
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ');

/** Runs ffmpeg (quiet, argument array) and resolves with its wall time in ms. */
export function timedFfmpeg(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`ffmpeg exited ${code}: ${err}`))));
  });
}

/** Resolves when the job's event stream (GET /v1/jobs/{id}/events) delivers its final event: `{ at, status }`. */
export async function finalJobEvent(base, jobId, key) {
  const res = await fetch(`${base}/v1/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } });
  if (res.status !== 200) throw new Error(`events: ${res.status} ${await res.text()}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the event stream ended without a final event');
    text += decoder.decode(value, { stream: true });
    const m = /"status":"(completed|failed|canceled)"/.exec(text);
    if (m) {
      const at = performance.now();
      reader.cancel().catch(() => undefined);
      return { at, status: m[1] };
    }
  }
}

#!/usr/bin/env node
// Prepares this machine to run Mediary; safe to run again and again (npm's prestart/pretest).
// 1. npm ci when node_modules was not installed from this package-lock.json (sha256 stamp); never npm install
// 2. ffmpeg, ffprobe, yt-dlp, pocketsphinx and apertium (and, with --test, Chromium for the dashboard's
//    browser spec): installed with apt-get when missing and running as root
// 3. PostgreSQL and Redis: started when installed but not running (local URLs only); with --test,
//    those of TEST_DATABASE_URL and TEST_REDIS_URL
// 4. the database: created when missing; migrations applied
// 5. the TypeScript build, and the dashboard (web/, built with Vite into dist/web) when its sources changed
// Uses only Node's standard library until step 1 has installed the dependencies.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--test');
process.chdir(root);

const log = (msg) => console.log(`[setup] ${msg}`);
const fail = (msg) => {
  console.error(`[setup] ${msg}`);
  process.exit(1);
};
const run = (cmd, args, opts = {}) => {
  const res = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (res.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${res.status ?? res.signal}`);
};
const has = (cmd) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { stdio: 'ignore' }).status === 0;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old: Mediary needs Node >= 20.19`);

// 1. dependencies
const lock = readFileSync('package-lock.json');
const lockHash = createHash('sha256').update(lock).digest('hex');
const stamp = path.join('node_modules', '.mediary-lock-sha256');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  log('installing dependencies (npm ci)');
  // Only npm ci: it installs exactly package-lock.json and never rewrites it. No fallback to
  // npm install, which would silently change the committed lockfile.
  const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (ci.status !== 0) {
    fail(
      `npm ci failed (${ci.error?.message ?? `exit ${ci.status ?? ci.signal}`}); see npm's output above.\n` +
        'If it reports package.json and package-lock.json out of sync (e.g. "Missing: <pkg> from lock file"),\n' +
        'repair the lockfile (npm install --package-lock-only, without node_modules), review and commit it, then run this again.',
    );
  }
  writeFileSync(stamp, lockHash);
}

// 2. media and speech tools
const tools = [
  [process.env.FFMPEG_PATH || 'ffmpeg', 'ffmpeg'],
  [process.env.FFPROBE_PATH || 'ffprobe', 'ffmpeg'],
  [process.env.YTDLP_PATH || 'yt-dlp', 'yt-dlp'],
];
// Offline speech recognition and translation (the defaults without an OpenAI key): programs
// and the data packages they read.
tools.push(
  [process.env.POCKETSPHINX_PATH || 'pocketsphinx_continuous', 'pocketsphinx'],
  [process.env.APERTIUM_PATH || 'apertium', 'apertium'],
);
const data = [
  ['/usr/share/pocketsphinx/model/en-us', 'pocketsphinx-en-us'],
  ['/usr/share/apertium/modes/eng-spa.mode', 'apertium-eng-spa'],
];
// The dashboard's spec (test/dashboard.spec.ts) drives Debian's Chromium; only tests need it.
if (forTests) data.push(['/usr/bin/chromium', 'chromium']);
const missing = [
  ...new Set([...tools.filter(([bin]) => !has(bin)).map(([, pkg]) => pkg), ...data.filter(([p]) => !existsSync(p)).map(([, pkg]) => pkg)]),
];
if (missing.length) {
  const install = ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...missing];
  if (!isRoot || !has('apt-get')) {
    fail(`missing ${missing.join(', ')}. Install with:\n  sudo apt-get update && sudo apt-get ${install.join(' ')}`);
  }
  log(`installing ${missing.join(', ')} with apt-get`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', install, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

// 3. services
const databaseUrl = new URL(
  forTests
    ? process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/mediary_test'
    : process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/mediary',
);
// Tests use their own services (TEST_DATABASE_URL, TEST_REDIS_URL), whatever DATABASE_URL and
// REDIS_URL the shell has; test/support/services.ts gives the same values to every app a spec starts.
const redisUrl = new URL(forTests ? process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379' : process.env.REDIS_URL || 'redis://127.0.0.1:6379');
const isLocal = (u) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname);

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ''), port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function waitFor(name, host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(host, port)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`${name} did not come up on ${host}:${port}`);
}

const pgPort = Number(databaseUrl.port || 5432);
if (!(await reachable(databaseUrl.hostname, pgPort))) {
  if (!isLocal(databaseUrl)) fail(`PostgreSQL at ${databaseUrl.host} is not reachable`);
  if (!has('pg_ctlcluster') || !existsSync('/etc/postgresql')) {
    fail('PostgreSQL is not running and not installed. Install with:\n  sudo apt-get install -y postgresql');
  }
  for (const version of readdirSync('/etc/postgresql')) {
    log(`starting PostgreSQL ${version}`);
    spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
  }
  await waitFor('PostgreSQL', databaseUrl.hostname, pgPort, 30);
}
const redisPort = Number(redisUrl.port || 6379);
if (!(await reachable(redisUrl.hostname, redisPort))) {
  if (!isLocal(redisUrl)) fail(`Redis at ${redisUrl.host} is not reachable`);
  if (!has('redis-server')) fail('Redis is not running and not installed. Install with:\n  sudo apt-get install -y redis-server');
  log('starting Redis');
  run('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', String(redisPort), '--save', '', '--appendonly', 'no']);
  await waitFor('Redis', redisUrl.hostname, redisPort, 15);
}

// The Redis database itself answers (a URL naming a database the server lacks fails here, not in a spec).
const { Redis } = await import('ioredis');
// ioredis only logs a failed SELECT on connect, so connect without one and select here.
const serverUrl = Object.assign(new URL(redisUrl.href), { pathname: '' });
const redis = new Redis(serverUrl.href, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
redis.on('error', () => undefined);
try {
  await redis.connect();
  await redis.select(Number(redisUrl.pathname.slice(1) || 0));
  await redis.ping();
} catch (err) {
  fail(`Redis at ${redisUrl.href} does not answer: ${err.message}`);
} finally {
  redis.disconnect();
}

// 4. database
const { default: pg } = await import('pg');
const dbName = decodeURIComponent(databaseUrl.pathname.slice(1));
const adminUrl = new URL(databaseUrl.href);
adminUrl.pathname = '/postgres';
const admin = new pg.Client({ connectionString: adminUrl.href });
await admin.connect();
const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
if (exists.rowCount === 0) {
  log(`creating database ${dbName}`);
  await admin.query(`CREATE DATABASE "${dbName.replace(/"/g, '""')}"`);
}
await admin.end();

// 5. build, then migrate with the build
log('building');
run(process.execPath, [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
buildDashboard();
execFileSync(process.execPath, [path.join('dist', 'src', 'migrate.js')], {
  stdio: 'inherit',
  env: { ...process.env, DATABASE_URL: databaseUrl.href },
});
log('ready');

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** `vite build` of web/ into dist/web, skipped when dist/web is newer than every file it is made from. */
function buildDashboard() {
  const builtAt = existsSync(path.join('dist', 'web', 'index.html')) ? statSync(path.join('dist', 'web', 'index.html')).mtimeMs : 0;
  const inputs = Math.max(newestMtime('web'), newestMtime(path.join('clients', 'typescript', 'src')), statSync('package-lock.json').mtimeMs);
  if (builtAt > inputs) return;
  log('building the dashboard');
  run(process.execPath, [path.join('node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', path.join('web', 'vite.config.mjs'), '--logLevel', 'warn']);
}

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './app.js';
import { fileURLToPath } from 'node:url';
import { testServicesEnv } from './services.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const MAIN = path.join(ROOT, 'dist/src/main.js');
const SOURCES = ['src', 'migrations'];

type Newest = { file: string; mtimeMs: number };

/** The most recently modified file under dir (recursively) or newest, whichever is newer. */
function newestFile(dir: string, newest?: Newest): Newest | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      newest = newestFile(file, newest);
    } else if (entry.isFile()) {
      const { mtimeMs } = statSync(file);
      if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
    }
  }
  return newest;
}

// The outcome of the first check, kept for this module instance (jest loads it once per spec file).
let buildProblem: string | null | undefined;

/**
 * Throws unless dist/src/main.js exists and is at least as new as every file under src/ and
 * migrations/, so that specs never run a stale build. `npm test` builds first (scripts/setup.mjs);
 * running jest directly after editing sources needs `npm run build`.
 */
export function assertBuildIsFresh(): void {
  if (buildProblem === undefined) {
    const main = path.relative(ROOT, MAIN);
    const builtAt = statSync(MAIN, { throwIfNoEntry: false })?.mtimeMs;
    if (builtAt === undefined) {
      buildProblem = `${main} is missing`;
    } else {
      let newest: Newest | undefined;
      for (const dir of SOURCES) newest = newestFile(path.join(ROOT, dir), newest);
      buildProblem = newest && newest.mtimeMs > builtAt ? `stale build: ${path.relative(ROOT, newest.file)} is newer than ${main}` : null;
    }
  }
  if (buildProblem) throw new Error(`${buildProblem}; run \`npm run build\` before these specs (npm test's setup builds first).`);
}

/**
 * Runs the built server (`dist/`, made by `npm test`'s setup step) as a real process; see
 * assertBuildIsFresh. The run's database and Redis win over the caller's DATABASE_URL/REDIS_URL
 * unless `env` names others.
 */
export function spawnServer(role: 'all' | 'api' | 'worker', env: Record<string, string>): ChildProcess & { output: () => string } {
  assertBuildIsFresh();
  const child = spawn(process.execPath, [MAIN, role], {
    cwd: ROOT,
    env: { ...process.env, ...testServicesEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits out `ms` on purpose: the only way to show that something does NOT happen (a duplicate
 * delivery, a retry) is to give it the time it would take. Never use it to wait for something.
 */
export function waitOut(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** A second API process (the built server) beside an in-process test app: same database, Redis and prefix. */
export async function startSecondApi(env: Record<string, string>): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnServer('api', { ...env, PORT: String(port) });
  await waitUntil(() => fetch(`${base}/health`).then((r) => r.ok, () => false), 20_000, `the second API (${child.output()})`);
  return { base, stop: () => stop(child) };
}

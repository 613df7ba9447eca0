import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/platform/database/data-source.js';
import { freePort } from './app.js';
import { waitUntil } from './processes.js';

/**
 * A Redis and a Postgres of a spec's own, on free ports in temporary directories, that the spec
 * may stop, start, hang (SIGSTOP) and wake (SIGCONT) without touching the shared services every
 * other spec uses. Postgres refuses to run as root: as root, its commands run as `postgres`.
 */

const run = promisify(execFile);
const REDIS_SERVER = '/usr/bin/redis-server';
const PG_VERSIONS = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
const PG_BIN = PG_VERSIONS.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => existsSync(`${dir}/initdb`) && existsSync(`${dir}/pg_ctl`));
const AS_ROOT = process.getuid?.() === 0;

/** Why own services cannot run here, or null when they can (for `describe.skip` with a reason). */
export function ownServicesMissing(): string | null {
  if (!existsSync(REDIS_SERVER)) return `${REDIS_SERVER} is not installed`;
  if (!PG_BIN) return 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin';
  if (AS_ROOT && !existsSync('/usr/sbin/runuser')) return 'running as root without runuser to start Postgres as postgres';
  if (AS_ROOT && !/^postgres:/m.test(readFileSync('/etc/passwd', 'utf8'))) return 'running as root and there is no postgres user to run Postgres as';
  return null;
}

export interface OwnService {
  url: string;
  /** Stops it (a clean, fast shutdown); what it held in memory only is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing answers. */
  hang(): Promise<void>;
  /** SIGCONT after `hang`. */
  wake(): Promise<void>;
  /** Stops it for good and deletes its files. */
  close(): Promise<void>;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = new net.Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });

export async function startOwnRedis(): Promise<OwnService> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitUntil(() => portOpen(port), 10_000, `redis-server on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGCONT');
    c.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    hang: async () => void child?.kill('SIGSTOP'),
    wake: async () => void child?.kill('SIGCONT'),
    close: stop,
  };
}

/** A new cluster (trust authentication, no fsync: it is thrown away) with a migrated database `mediary`. */
export async function startOwnPostgres(): Promise<OwnService> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-pg-'));
  const data = path.join(dir, 'data');
  if (AS_ROOT) {
    const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
    chownSync(dir, await id('-u'), await id('-g'));
  }
  const pg = (program: string, args: string[]) =>
    AS_ROOT ? run('/usr/sbin/runuser', ['-u', 'postgres', '--', `${PG_BIN}/${program}`, ...args]) : run(`${PG_BIN}/${program}`, args);
  await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '30', 'start']);
  };
  const stop = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  };
  // The postmaster and every backend: a hung database answers nothing at all.
  const signalAll = async (signal: 'SIGSTOP' | 'SIGCONT') => {
    const pid = Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = (await run('pgrep', ['-P', String(pid)]).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean).map(Number);
    for (const p of [pid, ...children]) process.kill(p, signal);
  };
  await start();
  const url = `postgres://postgres@127.0.0.1:${port}/mediary`;
  const admin = new DataSource({ type: 'postgres', url: `postgres://postgres@127.0.0.1:${port}/postgres` });
  await admin.initialize();
  await admin.query('CREATE DATABASE mediary');
  await admin.destroy();
  const db = createDataSource(url);
  await db.initialize();
  await db.runMigrations();
  await db.destroy();
  return {
    url,
    start,
    stop,
    hang: () => signalAll('SIGSTOP'),
    wake: () => signalAll('SIGCONT'),
    async close() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Books {
  balance: number;
  /** The sum of the account's ledger entries: always equal to the balance. */
  ledger: number;
  jobs: Array<{ id: string; status: string; attempts: number; credits_charged: number; credits_refunded: number; charges: number; started_at: Date | null; completed_at: Date | null }>;
}

/** An account's books as the database has them, for what every chaos spec checks once the service is back. */
export async function books(db: DataSource, accountId: string): Promise<Books> {
  const [totals] = (await db.query(
    `SELECT a.balance::int AS balance, coalesce(sum(l.amount), 0)::int AS ledger
     FROM accounts a LEFT JOIN ledger_entries l ON l.account_id = a.id WHERE a.id = $1 GROUP BY a.balance`,
    [accountId],
  )) as Array<{ balance: number; ledger: number }>;
  const jobs = (await db.query(
    `SELECT j.id, j.status, j.attempts, j.credits_charged, j.credits_refunded, j.started_at, j.completed_at,
            (SELECT count(*)::int FROM ledger_entries l WHERE l.job_id = j.id AND l.kind = 'charge') AS charges
     FROM jobs j WHERE j.account_id = $1 ORDER BY j.created_at`,
    [accountId],
  )) as Books['jobs'];
  return { ...totals!, jobs };
}

/** What a client may see while a dependency is down: 503 service_unavailable with Retry-After, no stack or driver message. */
export function honestOutageAnswer(reply: { status: number; headers: Headers; body: unknown }): { status: number; code: unknown; retryAfter: string | null; contentType: string | null; leaks: boolean } {
  const text = JSON.stringify(reply.body);
  return {
    status: reply.status,
    code: (reply.body as { code?: unknown } | null)?.code,
    retryAfter: reply.headers.get('retry-after'),
    contentType: reply.headers.get('content-type'),
    leaks: /\n\s+at |\bat \S+ \(|ECONNREFUSED|stack|QueryFailed|ioredis/i.test(text),
  };
}

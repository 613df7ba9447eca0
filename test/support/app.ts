import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createHttpApp } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDataSource } from '../../src/platform/database/data-source.js';
import { AccountsService } from '../../src/core/accounts/accounts.service.js';
import { TEST_DATABASE_URL, testServicesEnv } from './services.js';

export { TEST_DATABASE_URL, TEST_REDIS_URL } from './services.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Environment of one test app: its own Redis prefix and storage, the run's database and Redis
 * (see services.ts). Spawned processes get the same values, so they meet the in-process app.
 */
export function testEnv(port: number, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    ...testServicesEnv(),
    REDIS_PREFIX: `mdytest-${randomBytes(4).toString('hex')}`,
    STORAGE_DIR: mkdtempSync(path.join(os.tmpdir(), 'mediary-test-')),
    ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    JOB_LOCK_SECONDS: '3',
    SWEEP_INTERVAL_SECONDS: '2',
    // Test apps share one database but not one Redis prefix: a sweeper must not take other
    // apps' pending jobs for lost ones. The sweeper spec uses a database of its own.
    ENQUEUE_GRACE_SECONDS: '86400',
    RATE_LIMITS: JSON.stringify({ jobs: { minute: 100000, hour: 100000 }, read: { minute: 100000, hour: 100000 }, info: { minute: 100000, hour: 100000 } }),
    ...overrides,
  };
}

/**
 * A new, migrated database for a spec that needs a database-wide view to itself, named after
 * the run's database (`<test database>_<suffix>`) so that runs on other databases keep theirs.
 */
export async function isolatedDatabase(suffix: string): Promise<string> {
  const withDatabase = (name: string) => Object.assign(new URL(TEST_DATABASE_URL), { pathname: `/${encodeURIComponent(name)}` }).href;
  const name = `${decodeURIComponent(new URL(TEST_DATABASE_URL).pathname.slice(1))}_${suffix}`;
  const admin = new DataSource({ type: 'postgres', url: withDatabase('postgres') });
  await admin.initialize();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.destroy();
  const url = withDatabase(name);
  const db = createDataSource(url);
  await db.initialize();
  await db.runMigrations();
  await db.destroy();
  return url;
}

export interface TestApp {
  url: string;
  config: Config;
  env: Record<string, string>;
  app: NestFastifyApplication;
  db: DataSource;
  accounts: AccountsService;
  /** A fresh account with `credits` and its key. */
  account(credits: number): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

export async function startApp(overrides: Record<string, string> = {}, workers = true): Promise<TestApp> {
  const port = await freePort();
  const env = testEnv(port, overrides);
  const config = loadConfig(env);
  // Swagger UI and the dashboard need @fastify/static, which jest's ESM sandbox cannot load;
  // /docs and /app are covered by the specs that run the built server as a process.
  const app = await createHttpApp(config, { http: true, workers }, { docs: false, dashboard: false });
  await app.listen({ port, host: '127.0.0.1' });
  const db = app.get(DataSource);
  const accounts = app.get(AccountsService);
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    env,
    app,
    db,
    accounts,
    async account(credits) {
      const { account, apiKey } = await accounts.createAccount(`test-${randomBytes(3).toString('hex')}`, credits);
      return { id: account.id, key: apiKey.plaintext };
    },
    close: () => app.close(),
  };
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** A tiny client: JSON in, JSON (or problem+json) out. */
export async function call<T = any>(
  base: string,
  method: string,
  route: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${route}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

export async function waitForJob(base: string, key: string, id: string, timeoutMs = 45_000, until?: (job: any) => boolean): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  const done = until ?? ((j: any) => ['completed', 'failed', 'canceled'].includes(j.status));
  for (;;) {
    const { body } = await call(base, 'GET', `/v1/jobs/${id}`, { key });
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export interface Probe {
  duration: number;
  width: number | null;
  height: number | null;
  vcodec: string | null;
  acodec: string | null;
  format: string;
}

/** Fetches a result file and reports what ffprobe sees in it. */
export async function fetchAndProbe(fileUrl: string): Promise<Probe & { bytes: number }> {
  const res = await fetch(fileUrl);
  if (res.status !== 200) throw new Error(`GET ${fileUrl} → ${res.status}`);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mediary-probe-')), 'out');
  const bytes = Buffer.from(await res.arrayBuffer());
  writeFileSync(file, bytes);
  const out = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]).toString(),
  ) as { format: { duration: string; format_name: string }; streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }> };
  const v = out.streams.find((s) => s.codec_type === 'video');
  const a = out.streams.find((s) => s.codec_type === 'audio');
  return {
    bytes: bytes.length,
    duration: Number(out.format.duration),
    width: v?.width ?? null,
    height: v?.height ?? null,
    vcodec: v?.codec_name ?? null,
    acodec: a?.codec_name ?? null,
    format: out.format.format_name,
  };
}

export const media = (p: string) => `${process.env.MEDIA_URL}/${p}`;

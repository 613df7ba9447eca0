import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SweeperService } from '../src/core/jobs/sweeper.service.js';
import { WebhookRepository } from '../src/core/webhooks/webhook.repository.js';
import { isolatedDatabase, startApp, type TestApp } from './support/app.js';

const DAY = 24 * 3600 * 1000;

/**
 * What the sweeper deletes past its retention, and what it keeps: rows and files are laid out as
 * the application leaves them, dated in the past, and one sweep is run.
 */
describe('retention: the sweeper deletes what is past it, in bounded batches, and keeps the rest', () => {
  let t: TestApp;
  let accountId: string;
  const storage = (key: string) => path.join(t.env.STORAGE_DIR!, key);

  beforeAll(async () => {
    // A database of its own (the sweep sees every row in it); the sweep runs when the spec says.
    const db = await isolatedDatabase('retention');
    t = await startApp({ DATABASE_URL: db, SWEEP_INTERVAL_SECONDS: '3600', FAILED_OUTPUT_RETENTION_HOURS: '1' });
    accountId = (await t.account(0)).id;
  });
  afterAll(async () => t.close());

  const sql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) => t.db.query(text, params) as Promise<T[]>;
  const ago = (ms: number) => new Date(Date.now() - ms);
  const file = (key: string) => {
    mkdirSync(path.dirname(storage(key)), { recursive: true });
    writeFileSync(storage(key), 'bytes');
    return storage(key);
  };

  async function job(status: 'completed' | 'failed' | 'canceled', endedAgo: number, expiresIn: number | null = null): Promise<{ id: string; file: string }> {
    const id = randomUUID();
    await sql(
      `INSERT INTO jobs (id, account_id, type, status, input, credits_charged, completed_at, expires_at)
       VALUES ($1, $2, 'download', $3, '{}', 0, $4, $5)`,
      [id, accountId, status, ago(endedAgo), expiresIn === null ? null : new Date(Date.now() + expiresIn)],
    );
    return { id, file: file(`outputs/${accountId}/${id}/part.mp4`) };
  }

  async function delivery(status: 'delivered' | 'failed' | 'pending', age: number, attempts: number): Promise<string> {
    const id = `msg_${randomUUID().replace(/-/g, '')}`;
    await sql(
      `INSERT INTO webhook_deliveries (id, account_id, event_type, url, payload, status, attempt_count, created_at, enqueued_at)
       VALUES ($1, $2, 'job.completed', 'http://127.0.0.1:9/hook', '{}', $3, $4, $5, $5)`,
      [id, accountId, status, attempts, ago(age)],
    );
    for (let i = 0; i < attempts; i++) await sql(`INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms) VALUES ($1, $2, 500, 3)`, [id, ago(age)]);
    return id;
  }

  async function transcript(age: number): Promise<string> {
    const { id: jobId } = await job('completed', age);
    const id = randomUUID();
    await sql(
      `INSERT INTO transcripts (id, account_id, source_key, language, provider, job_id, transcript, created_at)
       VALUES ($1, $2, $3, 'en', 'local', $4, '{}', $5)`,
      [id, accountId, `url:${id}`, jobId, ago(age)],
    );
    return id;
  }

  async function upload(expiredAgo: number): Promise<{ id: string; file: string }> {
    const id = randomUUID();
    const key = `uploads/${accountId}/${id}/clip.mp4`;
    await sql(
      `INSERT INTO uploads (id, account_id, filename, content_type, size, storage_key, created_at, expires_at)
       VALUES ($1, $2, 'clip.mp4', 'video/mp4', 5, $3, $4, $5)`,
      [id, accountId, key, ago(expiredAgo + DAY), ago(expiredAgo)],
    );
    return { id, file: file(key) };
  }

  const exists = async (table: string, id: string) => (await sql(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).length === 1;
  const attemptsOf = async (id: string) => (await sql<{ n: number }>('SELECT count(*)::int AS n FROM webhook_attempts WHERE delivery_id = $1', [id]))[0]!.n;

  it('one sweep: old deliveries with their attempts, old transcripts, failed jobs\' files, expired uploads and abandoned scratch go; the rest stays', async () => {
    const oldDelivered = await delivery('delivered', 31 * DAY, 2);
    const oldFailed = await delivery('failed', 45 * DAY, 3);
    const oldStillRetrying = await delivery('pending', 31 * DAY, 1);
    const recent = await delivery('delivered', 29 * DAY, 1);
    const oldTranscript = await transcript(91 * DAY);
    const recentTranscript = await transcript(89 * DAY);
    const failedLongAgo = await job('failed', 2 * 3600_000);
    const canceledLongAgo = await job('canceled', 2 * 3600_000);
    const failedJustNow = await job('failed', 10 * 60_000);
    const completedLive = await job('completed', 2 * 3600_000, DAY);
    const expiredUpload = await upload(60_000);
    const liveUpload = await upload(-DAY);
    const abandoned = path.join(storage('work'), `${randomUUID()}-1`);
    const running = path.join(storage('work'), `${randomUUID()}-1`);
    for (const dir of [abandoned, running]) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(abandoned, 'partial.mp4.part'), 'bytes');
    utimesSync(abandoned, ago(3 * DAY), ago(3 * DAY));

    await t.app.get(SweeperService, { strict: false }).sweep();

    // Webhook deliveries: 30 days by default, attempts with them; never one still being retried.
    expect(await exists('webhook_deliveries', oldDelivered)).toBe(false);
    expect(await attemptsOf(oldDelivered)).toBe(0);
    expect(await exists('webhook_deliveries', oldFailed)).toBe(false);
    expect(await attemptsOf(oldFailed)).toBe(0);
    expect(await exists('webhook_deliveries', oldStillRetrying)).toBe(true);
    expect(await exists('webhook_deliveries', recent)).toBe(true);
    expect(await attemptsOf(recent)).toBe(1);
    // Transcripts: 90 days by default.
    expect(await exists('transcripts', oldTranscript)).toBe(false);
    expect(await exists('transcripts', recentTranscript)).toBe(true);
    // Files of failed and canceled jobs: FAILED_OUTPUT_RETENTION_HOURS after they ended, and the job says so.
    for (const gone of [failedLongAgo, canceledLongAgo]) {
      expect(existsSync(gone.file)).toBe(false);
      expect((await sql<{ deleted: boolean }>('SELECT outputs_deleted_at IS NOT NULL AS deleted FROM jobs WHERE id = $1', [gone.id]))[0]!.deleted).toBe(true);
    }
    expect(existsSync(failedJustNow.file)).toBe(true);
    expect(existsSync(completedLive.file)).toBe(true);
    // Uploads past their expiry, used or not; a live one stays.
    expect(existsSync(expiredUpload.file)).toBe(false);
    expect((await sql<{ deleted: boolean }>('SELECT deleted_at IS NOT NULL AS deleted FROM uploads WHERE id = $1', [expiredUpload.id]))[0]!.deleted).toBe(true);
    expect(existsSync(liveUpload.file)).toBe(true);
    // Scratch left by an attempt whose process died; a directory in use stays.
    expect(existsSync(abandoned)).toBe(false);
    expect(existsSync(running)).toBe(true);
  });

  it('deletes in bounded batches: one statement removes at most its batch, finished deliveries oldest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await delivery('delivered', (40 + i) * DAY, 1));
    const webhooks = t.app.get(WebhookRepository, { strict: false });
    expect(await webhooks.deleteFinishedOlderThan(30, 5)).toBe(5);
    // The five oldest went first.
    const left = await Promise.all(ids.map((id) => exists('webhook_deliveries', id)));
    expect(left).toEqual([...Array(7).fill(true), ...Array(5).fill(false)]);
    expect(await webhooks.deleteFinishedOlderThan(30, 5)).toBe(5);
    expect(await webhooks.deleteFinishedOlderThan(30, 5)).toBe(2);
    expect(await webhooks.deleteFinishedOlderThan(30, 5)).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ChargesRepository } from '../src/core/ledger/charges.repository.js';
import { call, isolatedDatabase, media, startApp, waitForJob, type TestApp } from './support/app.js';

describe('the sweeper and limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Outputs expire 2 s after completion; lost jobs are looked for after 1 s.
    const db = await isolatedDatabase('sweeper');
    t = await startApp({ DATABASE_URL: db, OUTPUT_TTL_HOURS: String(2 / 3600), ENQUEUE_GRACE_SECONDS: '1', SWEEP_INTERVAL_SECONDS: '1', MAX_FILE_SIZE_MB: '1' });
  });
  afterAll(async () => t.close());

  it('enqueues a job that was committed but never reached Redis', async () => {
    const acct = await t.account(3);
    const id = randomUUID();
    // Exactly what POST /v1/download commits, without the enqueue that follows it.
    const outcome = await t.app.get(ChargesRepository).chargeJob(
      { id, accountId: acct.id, type: 'download', input: { url: media('second.mp4') }, price: 1 },
      null,
      { statusCode: 202, body: {} },
    );
    expect(outcome.kind).toBe('charged');
    const job = await waitForJob(t.url, acct.key, id, 30_000);
    expect(job.status).toBe('completed');
  });

  it('deletes outputs after their retention and says so in the job', async () => {
    const acct = await t.account(3);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('second.mp4') } });
    const done = await waitForJob(t.url, acct.key, res.body.job_id);
    const link = done.result.files[0].url;
    const expired = await waitForJob(t.url, acct.key, res.body.job_id, 20_000, (j) => j.result?.outputs_deleted === true);
    expect(expired.result.files).toEqual([]);
    expect((await fetch(link)).status).toBe(404);
  });

  it('fails a download over MAX_FILE_SIZE_MB with file_too_large and refunds it', async () => {
    const acct = await t.account(3);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } });
    const job = await waitForJob(t.url, acct.key, res.body.job_id);
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('file_too_large');
    expect(job.credits_refunded).toBe(1);
  });
});

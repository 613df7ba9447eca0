import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from '../src/core/jobs/job-handler.js';
import { JobLifecycleService } from '../src/core/jobs/job-lifecycle.service.js';
import { ChargesRepository } from '../src/core/ledger/charges.repository.js';
import { TranscribeHandler } from '../src/modules/transcribe/transcribe.handler.js';
import type { TranscribeJobInput } from '../src/modules/transcribe/transcribe.job.js';
import { TranscriptRepository } from '../src/modules/transcribe/transcript.repository.js';
import { media, startApp, type TestApp } from './support/app.js';

// An owned transcript is free to ask for again, so it becomes the account's only when the job
// that made it completes — in the completion's transaction — and never by a run that does not.
describe('owned transcripts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, false);
  });
  afterAll(async () => t.close());

  const owned = async (accountId: string, source: string) =>
    ((await t.db.query('SELECT job_id FROM transcripts WHERE account_id = $1 AND source_key = $2', [accountId, source])) as Array<{ job_id: string }>).map((r) => r.job_id);

  /** A charged transcription job of the site's captions, started as a worker would. */
  const startedJob = async (accountId: string, url: string, price = 3) => {
    const id = randomUUID();
    const input: TranscribeJobInput = {
      url, source: 'auto', format: 'json', timestamps: 'segment',
      plan: { mode: 'captions', language: 'en', kind: 'manual', provider: 'captions', source_key: url, duration: 6 },
    };
    await t.app.get(ChargesRepository).chargeJob({ id, accountId, type: 'transcribe', input, price }, null, { statusCode: 202, body: {} });
    return (await t.app.get(JobLifecycleService).start(id))!;
  };

  it('a run that made the transcript but did not complete leaves nothing owned; completing owns it', async () => {
    const acct = await t.account(10);
    const url = `${media('master.m3u8')}?owned=${randomUUID()}`;
    const lifecycle = t.app.get(JobLifecycleService);
    const handler = t.app.get(TranscribeHandler);

    // The transcript is made, then storing its file fails (a full disk): the attempt fails.
    const first = await startedJob(acct.id, url);
    const ctx = lifecycle.context(first, new AbortController().signal, mkdtempSync(path.join(os.tmpdir(), 'mediary-owned-')));
    await expect(handler.run(first as unknown as Job<'transcribe'>, { ...ctx, store: () => Promise.reject(new Error('ENOSPC: no space left on device')) })).rejects.toThrow(/ENOSPC/);
    expect(await owned(acct.id, url)).toEqual([]);

    // A run that completes: owned from its completion on, and by that job.
    const second = await startedJob(acct.id, url);
    const outcome = await handler.run(second as unknown as Job<'transcribe'>, lifecycle.context(second, new AbortController().signal, mkdtempSync(path.join(os.tmpdir(), 'mediary-owned-'))));
    expect(outcome.result).toMatchObject({ source: 'captions', reused: false });
    expect(await owned(acct.id, url)).toEqual([]);
    await lifecycle.complete(second, outcome);
    expect(await owned(acct.id, url)).toEqual([second.id]);

    // A job never finds its own transcript; another job of the account does, and it is free.
    const transcripts = t.app.get(TranscriptRepository);
    expect(await transcripts.find(acct.id, url, 'en', ['captions'], second.id)).toBeNull();
    const third = await startedJob(acct.id, url);
    const reused = await handler.run(third as unknown as Job<'transcribe'>, lifecycle.context(third, new AbortController().signal, mkdtempSync(path.join(os.tmpdir(), 'mediary-owned-'))));
    expect([reused.result.reused, reused.cost, reused.settle]).toEqual([true, 0, undefined]);
  }, 60_000);

  it('a job planned free on an owned transcript that is gone by run time is charged for making it, or made not at all', async () => {
    const lifecycle = t.app.get(JobLifecycleService);
    const handler = t.app.get(TranscribeHandler);
    const run = async (accountId: string, url: string) => {
      const job = await startedJob(accountId, url, 0);
      return handler.run(job as unknown as Job<'transcribe'>, lifecycle.context(job, new AbortController().signal, mkdtempSync(path.join(os.tmpdir(), 'mediary-owned-'))));
    };
    const broke = await t.account(0);
    await expect(run(broke.id, `${media('master.m3u8')}?gone=${randomUUID()}`)).rejects.toMatchObject({ code: 'insufficient_credits' });

    const acct = await t.account(5);
    const outcome = await run(acct.id, `${media('master.m3u8')}?gone=${randomUUID()}`);
    expect([outcome.result.source, outcome.cost]).toEqual(['captions', 3]);
    const [{ balance }] = (await t.db.query('SELECT balance::int AS balance FROM accounts WHERE id = $1', [acct.id])) as Array<{ balance: number }>;
    expect(balance).toBe(2);
  }, 60_000);
});

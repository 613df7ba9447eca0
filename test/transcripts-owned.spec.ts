import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ChargesRepository } from '../src/core/ledger/charges.repository.js';
import { TranscriptRepository } from '../src/modules/transcribe/transcript.repository.js';
import { startApp, type TestApp } from './support/app.js';

// An owned transcript is free to ask for again — but a retried job must not find the one its own
// earlier attempt saved and call itself free.
describe('owned transcripts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({}, false);
  });
  afterAll(async () => t.close());

  it('are found for other jobs of the account, never for the job that made them', async () => {
    const acct = await t.account(10);
    const job = randomUUID();
    await t.app.get(ChargesRepository).chargeJob({ id: job, accountId: acct.id, type: 'transcribe', input: {}, price: 3 }, null, { statusCode: 202, body: {} });
    const transcripts = t.app.get(TranscriptRepository);
    const source = `https://example.com/v/${job}`;
    await transcripts.save(acct.id, source, job, { language: 'en', source: 'asr', provider: 'local', duration: 60, text: 'hello', segments: [] });
    expect(await transcripts.find(acct.id, source, 'en', ['local'], job)).toBeNull();
    expect(await transcripts.find(acct.id, source, 'en', ['local'], randomUUID())).toMatchObject({ jobId: job, transcript: { text: 'hello' } });
    expect(await transcripts.find(acct.id, source, 'en', ['local'])).toMatchObject({ jobId: job });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { startFakeOpenAi, type FakeOpenAi } from './support/openai-server.js';

// The OpenAI path against an OpenAI-compatible server on 127.0.0.1, with a 1 MB upload limit
// so that 30 minutes of audio (~9 MB) must be cut into chunks.
describe('speech and translation through an OpenAI-compatible server', () => {
  let t: TestApp;
  let ai: FakeOpenAi;
  beforeAll(async () => {
    ai = await startFakeOpenAi({ latencyMs: 300, reject429: 1, dropFirstTranslation: true });
    t = await startApp({
      TRANSCRIBE_PROVIDER: 'openai', TRANSLATE_PROVIDER: 'openai', OPENAI_BASE_URL: ai.url,
      OPENAI_MAX_UPLOAD_MB: '1', OPENAI_CONCURRENCY: '2', OPENAI_TRANSLATE_BATCH: '50',
    });
  });
  afterAll(async () => {
    await t.close();
    await ai.close();
  });

  it('cuts a 30-minute recording at silences, transcribes chunks two at a time, retries a 429, stitches in order', async () => {
    const acct = await t.account(100);
    const res = await call(t.url, 'POST', '/v1/transcribe', { key: acct.key, body: { url: media('tone-30min.ogg'), timestamps: 'word' } });
    expect(res.status).toBe(202);
    expect(res.body.credits_charged).toBe(30); // 30 started minutes
    const job = await waitForJob(t.url, acct.key, res.body.job_id, 120_000);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ source: 'asr', provider: 'openai' });

    expect(ai.state.rejected429).toBe(1);
    expect(ai.state.chunkSeconds.length).toBeGreaterThanOrEqual(5);
    for (const bytes of ai.state.chunkBytes) expect(bytes).toBeLessThan(1024 * 1024);
    expect(ai.state.maxInFlight).toBe(2);
    expect(ai.state.chunkSeconds.reduce((a, b) => a + b, 0)).toBeCloseTo(1800, -1);

    const segments = job.result.segments as Array<{ start: number; end: number; words: Array<{ start: number; end: number }> }>;
    expect(segments[0]!.start).toBe(0);
    for (let i = 1; i < segments.length; i++) expect(segments[i]!.start).toBeGreaterThanOrEqual(segments[i - 1]!.end);
    expect(segments.at(-1)!.end).toBeGreaterThan(1790);
    expect(segments.at(-1)!.end).toBeLessThanOrEqual(1800.01);
    // Every chunk was cut in a pause (x9–x10 s), so each segment still starts on a tone boundary.
    for (const s of segments) expect(((s.start % 10) + 10) % 10 < 0.6 || ((s.start % 10) + 10) % 10 > 9.4).toBe(true);
    expect(segments.every((s) => s.words.length === 1 && s.words[0]!.start === s.start)).toBe(true);
  });

  it('translates in batches that keep segment ids, asking again for a batch with a segment missing', async () => {
    const acct = await t.account(100);
    const src = await call(t.url, 'POST', '/v1/transcribe', { key: acct.key, body: { url: media('master.m3u8') } });
    const transcript = await waitForJob(t.url, acct.key, src.body.job_id);
    const chatsBefore = ai.state.chats;
    const res = await call(t.url, 'POST', '/v1/translate', { key: acct.key, body: { transcript_job_id: transcript.id, target_language: 'es' } });
    const job = await waitForJob(t.url, acct.key, res.body.job_id);
    expect(job.status).toBe('completed');
    expect(job.result.provider).toBe('openai');
    expect(job.result.segments.map((s: any) => s.text)).toEqual(transcript.result.segments.map((s: any) => `[es] ${s.text}`));
    expect(job.result.segments.map((s: any) => s.start)).toEqual(transcript.result.segments.map((s: any) => s.start));
    expect(ai.state.chats - chatsBefore).toBe(2); // the incomplete first answer was asked again
    const languages = await call(t.url, 'GET', '/v1/languages', { key: acct.key });
    expect(languages.body).toEqual({ transcribe: { captions: 'any', speech: 'any', speech_provider: 'openai' }, translate: { pairs: 'any', provider: 'openai' } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { wordErrorRate } from './support/wer.js';

const SPEECH = readFileSync(path.resolve('test/.fixtures/speech.txt'), 'utf8');

describe('POST /v1/transcribe (captions first, pocketsphinx otherwise)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t.close());

  const transcribe = async (key: string, body: Record<string, unknown>) => {
    const res = await call(t.url, 'POST', '/v1/transcribe', { key, body });
    if (res.status !== 202) return { res, job: null };
    return { res, job: await waitForJob(t.url, key, res.body.job_id, 60_000) };
  };

  it('uses the site’s WebVTT captions when there are some: cue text, base price, no speech recognition', async () => {
    const acct = await t.account(10);
    const { res, job } = await transcribe(acct.key, { url: media('master.m3u8'), format: 'srt' });
    expect(res.body.credits_charged).toBe(3);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ source: 'captions', provider: 'captions', language: 'en', text: 'Hello from the fixture captions. This line is the second cue.' });
    expect(job.result.segments).toEqual([
      { start: 0.5, end: 2.5, text: 'Hello from the fixture captions.' },
      { start: 3, end: 5.5, text: 'This line is the second cue.' },
    ]);
    const srt = await (await fetch(job.result.files[0].url)).text();
    expect(srt).toBe('1\n00:00:00,500 --> 00:00:02,500\nHello from the fixture captions.\n\n2\n00:00:03,000 --> 00:00:05,500\nThis line is the second cue.\n');
  });

  it('recognizes speech when there are no captions: word error rate < 25 %, monotonic word times inside the audio', async () => {
    const acct = await t.account(10);
    const { res, job } = await transcribe(acct.key, { url: media('speech.m4a'), timestamps: 'word' });
    expect(res.body.credits_charged).toBe(3);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ source: 'asr', provider: 'local', language: 'en' });
    expect(wordErrorRate(SPEECH, job.result.text)).toBeLessThan(0.25);
    const words = job.result.segments.flatMap((s: any) => s.words);
    expect(words.length).toBeGreaterThan(20);
    for (let i = 0; i < words.length; i++) {
      expect(words[i].end).toBeGreaterThan(words[i].start);
      if (i > 0) expect(words[i].start).toBeGreaterThanOrEqual(words[i - 1].end);
    }
    expect(words.at(-1).end).toBeLessThanOrEqual(job.result.duration + 0.01);
    expect(job.credits_refunded).toBe(0);

    // The same source again: the account owns this transcript, so it costs nothing.
    const again = await transcribe(acct.key, { url: media('speech.m4a'), format: 'txt' });
    expect(again.res.body.credits_charged).toBe(0);
    expect(again.job.result).toMatchObject({ reused: true, text: job.result.text });
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(7);
  });

  it('reads captions from an HTML <track>, and transcribes an upload', async () => {
    const acct = await t.account(10);
    const { job: page } = await transcribe(acct.key, { url: media('page.html'), format: 'txt' });
    expect(page.result).toMatchObject({ source: 'captions', text: 'Hello from the fixture captions. This line is the second cue.' });
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(readFileSync(path.resolve('test/.fixtures/speech.m4a')))], { type: 'audio/mp4' }), 'talk.m4a');
    const up = (await (await fetch(`${t.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${acct.key}` }, body: form })).json()) as { upload_id: string };
    const { job } = await transcribe(acct.key, { upload_id: up.upload_id, filename: 'talk' });
    expect(job.result.source).toBe('asr');
    expect(wordErrorRate(SPEECH, job.result.text)).toBeLessThan(0.25);
    expect(job.result.files[0].filename).toBe('talk.json');
  });

  it('renders a finished transcript as SRT and VTT that ffmpeg reads, and as plain text', async () => {
    const acct = await t.account(10);
    const { job } = await transcribe(acct.key, { url: media('speech.m4a') });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-subs-'));
    for (const format of ['srt', 'vtt'] as const) {
      const res = await fetch(`${t.url}/v1/jobs/${job.id}/transcript?format=${format}`, { headers: { authorization: `Bearer ${acct.key}` } });
      expect(res.headers.get('content-type')).toContain(format === 'srt' ? 'application/x-subrip' : 'text/vtt');
      const file = path.join(dir, `out.${format}`);
      writeFileSync(file, await res.text());
      const out = path.join(dir, `back-${format}.srt`);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', file, out]);
      expect(readFileSync(out, 'utf8')).toContain('morning');
    }
    const txt = await (await fetch(`${t.url}/v1/jobs/${job.id}/transcript?format=txt`, { headers: { authorization: `Bearer ${acct.key}` } })).text();
    expect(txt.trim()).toBe(job.result.text);
    const bad = await call(t.url, 'GET', `/v1/jobs/${job.id}/transcript?format=doc`, { key: acct.key });
    expect(bad.status).toBe(422);
  });

  it('refuses before charging: captions-only without captions, an unsupported speech language', async () => {
    const acct = await t.account(10);
    const noCaptions = await call(t.url, 'POST', '/v1/transcribe', { key: acct.key, body: { url: media('speech.m4a'), source: 'captions' } });
    expect([noCaptions.status, noCaptions.body.code]).toEqual([422, 'media_unavailable']);
    const french = await call(t.url, 'POST', '/v1/transcribe', { key: acct.key, body: { url: media('speech.m4a'), language: 'fr' } });
    expect([french.status, french.body.code]).toEqual([422, 'unsupported_language']);
    expect(french.body.supported).toEqual(['en']);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(10);
    const languages = await call(t.url, 'GET', '/v1/languages', { key: acct.key });
    expect(languages.body).toEqual({
      transcribe: { captions: 'any', speech: ['en'], speech_provider: 'local' },
      translate: { pairs: expect.arrayContaining(['en-es', 'es-en']), provider: 'local' },
    });
  });

  it('translates a transcription job with Apertium, keeping every segment’s timing', async () => {
    const acct = await t.account(20);
    const { job: source } = await transcribe(acct.key, { url: media('master.m3u8') });
    const res = await call(t.url, 'POST', '/v1/translate', { key: acct.key, body: { transcript_job_id: source.id, target_language: 'es', format: 'vtt' } });
    expect([res.status, res.body.credits_charged]).toEqual([202, 4]);
    const job = await waitForJob(t.url, acct.key, res.body.job_id);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ language: 'es', source_language: 'en', provider: 'apertium' });
    expect(job.result.segments.map((s: any) => [s.start, s.end])).toEqual(source.result.segments.map((s: any) => [s.start, s.end]));
    expect(job.result.segments[0].text).toMatch(/^Hola/);
    expect(job.result.segments[1].text).toBe('Esta línea es el segundo cue.');
    const vtt = await (await fetch(job.result.files[0].url)).text();
    expect(vtt.startsWith('WEBVTT')).toBe(true);
  });

  it('translates straight from a URL: speech recognized first, priced as transcription + 1', async () => {
    const acct = await t.account(20);
    const res = await call(t.url, 'POST', '/v1/translate', { key: acct.key, body: { url: media('speech.m4a'), target_language: 'es' } });
    expect(res.body.credits_charged).toBe(4);
    const job = await waitForJob(t.url, acct.key, res.body.job_id, 60_000);
    expect(job.status).toBe('completed');
    expect(job.result.text.toLowerCase()).toMatch(/mañana|tiempo|mercado/);
    expect(job.credits_refunded).toBe(0);
  });

  it('refuses pairs that are not installed and same-language requests, before charging', async () => {
    const acct = await t.account(20);
    const fr = await call(t.url, 'POST', '/v1/translate', { key: acct.key, body: { url: media('master.m3u8'), target_language: 'fr' } });
    expect([fr.status, fr.body.code]).toEqual([422, 'unsupported_language']);
    expect(fr.body.supported).toEqual(expect.arrayContaining(['en-es']));
    const same = await call(t.url, 'POST', '/v1/translate', { key: acct.key, body: { url: media('master.m3u8'), target_language: 'en' } });
    expect([same.status, same.body.code]).toEqual([422, 'validation_failed']);
    const none = await call(t.url, 'POST', '/v1/translate', { key: acct.key, body: { target_language: 'es' } });
    expect(none.status).toBe(422);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(20);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createReadStream, mkdtempSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { call, startApp, waitForJob, type TestApp } from './support/app.js';
import { spawnServer, stop } from './support/processes.js';

/**
 * A site that changes between the plan (at submit) and the work (in the worker): captions that
 * were listed are gone, a recording that was short is long. Whatever it does, the account pays
 * for the speech actually recognized, never more than it was charged or could pay.
 */
interface SiteState {
  captions: boolean;
  long: boolean;
  /** The recording as a raw AAC stream sent without a length: nothing says how long it is until it has been read. */
  unsized?: boolean;
}

const FIXTURES = path.resolve('test/.fixtures');
const VTT = 'WEBVTT\n\n00:00:00.500 --> 00:00:02.500\nCaptions that will not be there at run time.\n';

function startLyingSite(dir: string, states: Map<string, SiteState>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site');
    const [, name, file] = url.pathname.split('/');
    const state = states.get(name ?? '');
    if (!state) return void res.writeHead(404).end();
    if (file === 'page.html') {
      const track = state.captions ? '<track kind="subtitles" srclang="en" src="captions.vtt">' : '';
      const src = state.unsized ? 'audio.aac' : 'audio.m4a';
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><body><video controls src="${src}">${track}</video></body></html>`);
    }
    if (file === 'captions.vtt') {
      return void (state.captions ? res.writeHead(200, { 'content-type': 'text/vtt' }).end(VTT) : res.writeHead(404).end());
    }
    if (file === 'audio.aac' && state.unsized) {
      res.writeHead(200, { 'content-type': 'audio/aac', 'transfer-encoding': 'chunked' });
      return void (req.method === 'HEAD' ? res.end() : createReadStream(path.join(dir, 'speech.aac')).pipe(res));
    }
    if (file === 'audio.m4a') {
      const media = state.long ? path.join(dir, 'long.m4a') : path.join(FIXTURES, 'speech.m4a');
      res.writeHead(200, { 'content-type': 'audio/mp4', 'content-length': String(statSync(media).size) });
      return void (req.method === 'HEAD' ? res.end() : createReadStream(media).pipe(res));
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('speech recognition is bounded by what the job was charged', () => {
  let t: TestApp;
  let site: http.Server;
  let base: string;
  const states = new Map<string, SiteState>();
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-speech-bounds-'));
    // 75 s of speech: 2 started minutes.
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '-1', '-i', path.join(FIXTURES, 'speech.m4a'), '-t', '75', '-c:a', 'aac', '-b:a', '48k', path.join(dir, 'long.m4a')]);
    execFileSync('ffmpeg', ['-v', 'error', '-i', path.join(FIXTURES, 'speech.m4a'), '-c:a', 'copy', '-f', 'adts', path.join(dir, 'speech.aac')]);
    site = await startLyingSite(dir, states);
    base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    // One credit is the base price and pays for one minute of speech; the API here, the worker later.
    t = await startApp({ PRICES: JSON.stringify({ transcribe: 1, transcribe_asr_minute: 1, translate: 1 }) }, false);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => stop(w)));
    await t.close();
    site.close();
  });

  const ledgerOf = async (jobId: string) =>
    ((await t.db.query(`SELECT kind, amount::int AS amount FROM ledger_entries WHERE job_id = $1 ORDER BY id`, [jobId])) as Array<{ kind: string; amount: number }>).map(
      (e) => `${e.kind} ${e.amount}`,
    );
  const balanceOf = async (key: string) => (await call(t.url, 'GET', '/v1/account', { key })).body.balance as number;

  it('captions gone at run time, no credits for more: recognizes the minute paid for and says where it stopped', async () => {
    states.set('a', { captions: true, long: false });
    states.set('b', { captions: false, long: false });
    const poor = await t.account(1);
    const rich = await t.account(5);
    const a = await call(t.url, 'POST', '/v1/transcribe', { key: poor.key, body: { url: `${base}/a/page.html` } });
    const b = await call(t.url, 'POST', '/v1/transcribe', { key: rich.key, body: { url: `${base}/b/page.html`, source: 'asr' } });
    // Planned: captions for a (the base price), the short recording for b (one minute).
    expect([a.status, a.body.credits_charged, b.status, b.body.credits_charged]).toEqual([202, 1, 202, 1]);

    // The site changes before any worker runs: a's captions are gone, both recordings are 75 s.
    states.set('a', { captions: false, long: true });
    states.set('b', { captions: false, long: true });
    workers.push(spawnServer('worker', t.env));

    const jobA = await waitForJob(t.url, poor.key, a.body.job_id, 120_000);
    expect(jobA).toMatchObject({ status: 'completed', credits_charged: 1, credits_refunded: 0 });
    expect(jobA.result).toMatchObject({ source: 'asr', truncated_at: 60 });
    expect(jobA.result.duration).toBeCloseTo(75, 0);
    expect(jobA.result.segments.length).toBeGreaterThan(0);
    expect(Math.max(...jobA.result.segments.map((s: { end: number }) => s.end))).toBeLessThanOrEqual(60);
    expect(await ledgerOf(a.body.job_id)).toEqual(['charge -1']);
    expect(await balanceOf(poor.key)).toBe(0);

    // b's account could pay for the minute more: charged once more, all 75 s recognized.
    const jobB = await waitForJob(t.url, rich.key, b.body.job_id, 180_000);
    expect(jobB).toMatchObject({ status: 'completed', credits_charged: 2, credits_refunded: 0 });
    expect(jobB.result.truncated_at).toBeNull();
    expect(Math.max(...jobB.result.segments.map((s: { end: number }) => s.end))).toBeGreaterThan(62);
    expect(await ledgerOf(b.body.job_id)).toEqual(['charge -1', 'charge -1']);
    expect(await balanceOf(rich.key)).toBe(3);
    const sum = (await t.db.query('SELECT sum(amount)::int AS s FROM ledger_entries WHERE account_id = $1', [rich.id])) as Array<{ s: number }>;
    expect(sum[0]!.s).toBe(3);

    // A transcript cut short is not owned: asking again is charged, not free.
    const again = await call(t.url, 'POST', '/v1/transcribe', { key: poor.key, body: { url: `${base}/a/page.html` } });
    expect([again.status, again.body.code]).toEqual([402, 'insufficient_credits']);
  }, 300_000);

  it('a duration nobody knows at submit: reserves ten minutes of speech, settles to the seconds recognized', async () => {
    states.set('d', { captions: false, long: false, unsized: true });
    // Planned without a duration: ten minutes of speech are reserved.
    const poor = await t.account(9);
    const refused = await call(t.url, 'POST', '/v1/transcribe', { key: poor.key, body: { url: `${base}/d/page.html` } });
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ code: 'insufficient_credits', required: 10, available: 9 });

    const acct = await t.account(10);
    const res = await call(t.url, 'POST', '/v1/transcribe', { key: acct.key, body: { url: `${base}/d/page.html` } });
    expect([res.status, res.body.credits_charged]).toEqual([202, 10]);
    if (workers.length === 0) workers.push(spawnServer('worker', t.env));
    const job = await waitForJob(t.url, acct.key, res.body.job_id, 120_000);
    // 9.3 s of speech, measured by decoding it: one minute.
    expect(job).toMatchObject({ status: 'completed', credits_charged: 10, credits_refunded: 9 });
    expect(job.result.duration).toBeCloseTo(9.3, 0);
    expect(job.result.truncated_at).toBeNull();
    expect(job.result.segments.length).toBeGreaterThan(0);
    expect(await ledgerOf(res.body.job_id)).toEqual(['charge -10', 'refund 9']);
    expect(await balanceOf(acct.key)).toBe(9);
  }, 180_000);

  it('canceled mid-recognition: keeps the base price, gives back the minutes it had reserved', async () => {
    states.set('c', { captions: false, long: true });
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/transcribe', { key: acct.key, body: { url: `${base}/c/page.html` } });
    expect([res.status, res.body.credits_charged]).toEqual([202, 2]);
    if (workers.length === 0) workers.push(spawnServer('worker', t.env));
    // Past 35 % the audio is decoded and pocketsphinx is listening.
    await waitForJob(t.url, acct.key, res.body.job_id, 120_000, (j) => j.status === 'processing' && j.progress >= 35);
    const del = await call(t.url, 'DELETE', `/v1/jobs/${res.body.job_id}`, { key: acct.key });
    expect(del.status).toBeLessThan(300);
    const job = await waitForJob(t.url, acct.key, res.body.job_id, 10_000);
    expect(job).toMatchObject({ status: 'canceled', credits_charged: 2, credits_refunded: 1 });
    expect(await ledgerOf(res.body.job_id)).toEqual(['charge -2', 'refund 1']);
    expect(await balanceOf(acct.key)).toBe(4);
  }, 180_000);
});

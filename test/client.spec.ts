import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createClient, createConfig, createDownload, createTranscription, getInfo, getJob, getTranscript, getTranscriptText, JobWaitError, waitForJob,
} from '../clients/typescript/src/index.js';
import { media, startApp, type TestApp } from './support/app.js';
import { ROOT } from './support/processes.js';

function files(dir: string, under = ''): string[] {
  return readdirSync(path.join(dir, under), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(dir, path.join(under, e.name)) : [path.join(under, e.name)],
  );
}

// The walk-through of clients/typescript/README.md, through the generated client, strictly typed.
describe('the TypeScript client (clients/typescript)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is generated from the committed openapi.json (run `npm run client` when this fails)', () => {
    const fresh = mkdtempSync(path.join(os.tmpdir(), 'mediary-client-'));
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/generate-client.mjs'), '--out', fresh], { cwd: ROOT });
    const committed = path.join(ROOT, 'clients/typescript/src/generated');
    expect(files(committed).sort()).toEqual(files(fresh).sort());
    for (const f of files(fresh)) expect(`${f}\n${readFileSync(path.join(committed, f), 'utf8')}`).toBe(`${f}\n${readFileSync(path.join(fresh, f), 'utf8')}`);
  });

  it('runs the README walk-through: key → info → download → wait → file; transcribe → SRT', async () => {
    const { key } = await t.account(20);
    const mediary = createClient(createConfig({ baseUrl: t.url, auth: key }));

    const { data: info } = await getInfo({ client: mediary, query: { url: media('direct.mp4') }, throwOnError: true });
    expect(info.formats?.length).toBeGreaterThan(0);
    expect(info.credits_charged).toBe(1);

    const { data: accepted } = await createDownload({ client: mediary, body: { url: media('direct.mp4'), format: 'mp4' }, throwOnError: true });
    expect(accepted.status).toBe('pending');
    const progress: number[] = [];
    const job = await waitForJob(accepted.job_id, { client: mediary, onProgress: (p) => progress.push(p) });
    if (job.type !== 'download' || !job.result) throw new Error(`download ${job.status}: ${job.error?.message}`);
    expect(job.result.format).toBe('mp4');
    const [file] = job.result.files;
    if (!file) throw new Error('no file');
    const res = await fetch(file.url);
    expect(res.headers.get('content-type')).toBe(file.content_type);
    expect((await res.arrayBuffer()).byteLength).toBe(file.size);

    const { data: transcription } = await createTranscription({ client: mediary, body: { url: media('master.m3u8'), language: 'en' }, throwOnError: true });
    const done = await waitForJob(transcription.job_id, { client: mediary });
    if (done.type !== 'transcribe' || !done.result) throw new Error(`transcription ${done.status}`);
    expect(done.result.source).toBe('captions');
    expect(done.result.segments.map((s) => s.text)).toEqual(['Hello from the fixture captions.', 'This line is the second cue.']);
    const { data: srt } = await getTranscriptText(done.id, 'srt', { client: mediary });
    expect(srt).toBe('1\n00:00:00,500 --> 00:00:02,500\nHello from the fixture captions.\n\n2\n00:00:03,000 --> 00:00:05,500\nThis line is the second cue.\n');
    const { data: json } = await getTranscript({ client: mediary, path: { id: done.id }, query: { format: 'json' }, throwOnError: true });
    expect(json.language).toBe('en');
  });

  it('types requests as the server takes them: a download needs a url or an upload_id', () => {
    const withNeither = () =>
      // @ts-expect-error -- neither url nor upload_id
      createDownload({ body: { format: 'mp4' } });
    expect(typeof withNeither).toBe('function');
  });

  it('waits by polling when the event stream is unavailable, and reports a job it cannot read', async () => {
    const { key } = await t.account(5);
    const noStreams: typeof fetch = (input, init) =>
      (input instanceof Request ? input.url : String(input)).endsWith('/events') ? Promise.resolve(new Response('', { status: 502 })) : fetch(input, init);
    const mediary = createClient(createConfig({ baseUrl: t.url, auth: key, fetch: noStreams }));
    const { data: accepted } = await createDownload({ client: mediary, body: { url: media('direct.mp4'), format: 'mp3' }, throwOnError: true });
    const job = await waitForJob(accepted.job_id, { client: mediary, pollIntervalMs: 100 });
    expect(job.status).toBe('completed');
    const { data: again } = await getJob({ client: mediary, path: { id: job.id }, throwOnError: true });
    expect(again).toEqual(job);

    await expect(waitForJob('00000000-0000-4000-8000-000000000000', { client: mediary })).rejects.toBeInstanceOf(JobWaitError);
  });
});

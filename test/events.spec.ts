import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';
import { checkSchema } from './support/contract.js';
import { spawnServer, stop } from './support/processes.js';

interface SseEvent {
  id: number;
  event: string;
  data: any;
}

/** Reads an SSE stream to its end (or the timeout), parsing its frames. */
async function readEvents(url: string, key: string, headers: Record<string, string> = {}, timeoutMs = 40_000): Promise<{ status: number; type: string | null; events: SseEvent[] }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}`, ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  const events: SseEvent[] = [];
  if (!res.body || res.status !== 200) return { status: res.status, type: res.headers.get('content-type'), events };
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(frame.split('\n').filter((l) => !l.startsWith(':') && l.includes(': ')).map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
      if (!fields.data) continue;
      const data = JSON.parse(fields.data);
      checkSchema('JobEventDto', data);
      events.push({ id: Number(fields.id), event: fields.event ?? 'message', data });
    }
  }
  return { status: res.status, type: res.headers.get('content-type'), events };
}

// The API runs here without workers; the job runs in a separate worker process.
describe('GET /v1/jobs/{id}/events (SSE across processes)', () => {
  let t: TestApp;
  let worker: ChildProcess;
  beforeAll(async () => {
    t = await startApp({}, false);
    worker = spawnServer('worker', t.env);
  });
  afterAll(async () => {
    await stop(worker);
    await t.close();
  });

  it('streams monotonic progress and a final event with the job, then closes', async () => {
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=400000') } });
    const { status, type, events } = await readEvents(`${t.url}/v1/jobs/${res.body.job_id}/events`, acct.key);
    expect(status).toBe(200);
    expect(type).toContain('text/event-stream');
    expect(events.length).toBeGreaterThanOrEqual(3);
    const progress = events.map((e) => e.data.progress ?? 100);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
    for (let i = 1; i < events.length; i++) expect(events[i]!.id).toBeGreaterThan(events[i - 1]!.id);
    expect(events.some((e) => e.data.status === 'processing' && e.data.progress > 0 && e.data.progress < 100)).toBe(true);
    expect(events.some((e) => typeof e.data.speed_bps === 'number')).toBe(true);
    const last = events.at(-1)!;
    expect(last.data.status).toBe('completed');
    expect(last.data.job.result.files[0].kind).toBe('media');
  });

  it('a client connecting after the end gets the final state at once; Last-Event-ID skips what was seen', async () => {
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('second.mp4') } });
    await waitForJob(t.url, acct.key, res.body.job_id);
    const late = await readEvents(`${t.url}/v1/jobs/${res.body.job_id}/events`, acct.key, {}, 5000);
    expect(late.events).toHaveLength(1);
    expect(late.events[0]!.data).toMatchObject({ status: 'completed', job: { id: res.body.job_id } });
    const resumed = await readEvents(`${t.url}/v1/jobs/${res.body.job_id}/events`, acct.key, { 'last-event-id': String(late.events[0]!.id) }, 5000);
    expect(resumed.events).toEqual([]);
  });

  it('a canceled job ends the stream with a canceled event', async () => {
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('slow/direct.mp4?bps=100000') } });
    // The stream ends with the canceled event; its time limit only has to outlast a busy machine.
    const stream = readEvents(`${t.url}/v1/jobs/${res.body.job_id}/events`, acct.key, {}, 80_000);
    await waitForJob(t.url, acct.key, res.body.job_id, 40_000, (j) => j.status === 'processing');
    await call(t.url, 'DELETE', `/v1/jobs/${res.body.job_id}`, { key: acct.key });
    const { status, events } = await stream;
    // Named first: an empty stream says more with the status it was answered with.
    expect([status, events.length > 0]).toEqual([200, true]);
    expect(events.at(-1)!.data).toMatchObject({ status: 'canceled', job: { id: res.body.job_id, status: 'canceled' } });
  }, 90_000);

  it("another account's job is a 404 problem, not a stream", async () => {
    const owner = await t.account(5);
    const other = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: owner.key, body: { url: media('second.mp4') } });
    const denied = await readEvents(`${t.url}/v1/jobs/${res.body.job_id}/events`, other.key, {}, 5000);
    expect(denied.status).toBe(404);
    expect(denied.type).toContain('application/problem+json');
  });
});

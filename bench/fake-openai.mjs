// A local OpenAI-compatible speech server for benchmarks: answers POST /v1/audio/transcriptions
// after a FIXED latency, so the wall time of a long transcription shows the client's chunk
// concurrency rather than a real model's speed. Listens on 127.0.0.1 only.
//
//   node bench/fake-openai.mjs [port]        (port 0 / omitted: any free port)
//   env LATENCY_MS (default 2000), FFPROBE_PATH (default ffprobe)
//
// Prints `listening <port>` on stdout once ready. Besides the transcription endpoint:
//   GET  /stats  → {requests, inFlight, maxInFlight, latencyMs, log: [{n, bytes, duration, receivedAt, answeredAt}]}
//   POST /reset  → zeroes the counters and the log
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 2000);
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';
const port = Number(process.argv[2] ?? 0);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fake-openai-'));

let requests = 0;
let inFlight = 0;
let maxInFlight = 0;
let log = [];
const started = Date.now();

function probeDuration(file) {
  return new Promise((resolve) => {
    const p = spawn(FFPROBE, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', () => resolve(Number.parseFloat(out) || 0));
    p.on('error', () => resolve(0));
  });
}

function verbose(duration, n) {
  const segments = [];
  const words = [];
  for (let k = 0, start = 0; start < duration; k++, start += 10) {
    const end = Math.min(start + 10, duration);
    const text = ` Chunk ${n} segment ${k}.`;
    segments.push({ id: k, seek: 0, start, end, text, tokens: [], temperature: 0, avg_logprob: -0.1, compression_ratio: 1, no_speech_prob: 0 });
    // one "word" per second inside the segment
    for (let t = start; t < end; t += 1) words.push({ word: `w${Math.round(t)}`, start: t, end: Math.min(t + 0.8, end) });
  }
  return { task: 'transcribe', language: 'english', duration, text: segments.map((s) => s.text).join('').trim(), segments, words };
}

const send = (res, status, body) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const server = http.createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/stats') return send(res, 200, { requests, inFlight, maxInFlight, latencyMs: LATENCY_MS, uptimeMs: Date.now() - started, log });
  if (req.method === 'POST' && req.url === '/reset') {
    requests = 0;
    maxInFlight = inFlight;
    log = [];
    return send(res, 200, { ok: true });
  }
  if (req.method !== 'POST' || !req.url?.startsWith('/v1/audio/transcriptions')) return send(res, 404, { error: { message: 'not found' } });

  const n = ++requests;
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  const receivedAt = Date.now();
  const entry = { n, bytes: 0, duration: 0, receivedAt, answeredAt: 0 };
  log.push(entry);
  try {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const form = await new Response(body, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
    const file = form.get('file');
    if (!file || typeof file === 'string') return send(res, 400, { error: { message: 'file is required' } });
    const bytes = Buffer.from(await file.arrayBuffer());
    entry.bytes = bytes.length;
    const f = path.join(tmp, `req-${n}${path.extname(file.name || '') || '.bin'}`);
    writeFileSync(f, bytes);
    const duration = await probeDuration(f);
    rmSync(f, { force: true });
    entry.duration = duration;
    // fixed latency from the moment the request arrived, whatever the parsing took
    const wait = receivedAt + LATENCY_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    send(res, 200, verbose(duration, n));
  } catch (err) {
    send(res, 500, { error: { message: String(err?.message ?? err) } });
  } finally {
    entry.answeredAt = Date.now();
    inFlight--;
  }
});

server.requestTimeout = 0;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
const stop = () => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

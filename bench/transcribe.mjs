// Transcription benchmarks (plain Node ESM; all traffic stays on 127.0.0.1):
//
//  1. Local speech provider: real-time factor of pocketsphinx_continuous (the app's exact
//     arguments) on a ~10-minute English recording synthesized with ffmpeg's flite voice, and
//     its word error rate against the text that was spoken; then the same file once through the
//     API (upload + POST /v1/transcribe, polled until completed) with `node dist/src/main.js all`.
//  2. OpenAI path: a 2-hour recording against bench/fake-openai.mjs (a FIXED latency per
//     request), OPENAI_CONCURRENCY 1 and 4, with the default 25 MB upload limit and with
//     OPENAI_MAX_UPLOAD_MB=2 (many chunks).
//
//   node bench/transcribe.mjs            (needs `npm run build`, PostgreSQL and Redis on 127.0.0.1)
//
// env: LATENCY_MS (fake's latency, default 2000), BENCH_DEADLINE_MIN (hard limit on the whole
// run, default 150; the wait for a quiet machine counts), SKIP_LOCAL=1 / SKIP_OPENAI=1.
// Markdown on stdout, progress on stderr, raw numbers in /tmp/mediary-bench-speech/results.json.
// Every process started here is killed when the script ends, however it ends.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openAsBlob, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dbUrl, ensureDatabase, freePort, loadavg, psql, sleep, spawnTracked, stopAll, stopChild, waitHttp } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = '/tmp/mediary-bench-speech';
const STORE = '/tmp/mediary-bench-tstore';
const DB = 'mediary_bench';
const REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_PREFIX = 'bench-transcribe';
const LATENCY_MS = Number(process.env.LATENCY_MS ?? 2000);
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MIN ?? 150) * 60_000;
const BUSY_PATTERN = 'bench/api.mjs|bench/e2e-download.mjs|jest';
const T0 = Date.now();
mkdirSync(CACHE, { recursive: true });

const log = (msg) => process.stderr.write(`[transcribe ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const secs = (ms) => Math.round(ms / 10) / 100;

// ------------------------------------------------------------------ children, always cleaned up

// The whole run is bounded: past the deadline everything is killed and the script fails.
setTimeout(() => {
  log(`deadline of ${DEADLINE_MS / 60_000} min passed: stopping everything`);
  void stopAll().finally(() => process.exit(2));
}, DEADLINE_MS).unref();

/** Runs a command to completion (tracked, with a time limit); resolves {code, stdout, stderr, ms}. */
function run(cmd, args, { timeoutMs = 10 * 60_000, env, cwd = ROOT, keepStdout = true } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawnTracked(cmd, args, { env: env ?? process.env, cwd });
    const out = [];
    let err = '';
    child.stdout.on('data', (d) => keepStdout && out.push(d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
    const timer = setTimeout(() => {
      log(`${cmd} timed out after ${timeoutMs} ms; killing it`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: err, ms: performance.now() - started });
    });
  });
}

async function must(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.slice(-2000)}`);
  return r;
}

// ------------------------------------------------------------------ quiet machine

function busyPids() {
  const r = spawnSync('pgrep', ['-f', BUSY_PATTERN], { encoding: 'utf8' });
  return r.stdout.split('\n').map((s) => s.trim()).filter((s) => s && Number(s) !== process.pid);
}

/** Polls every 20 s, up to 15 min, until no other benchmark or jest runs. Returns seconds waited (-1: gave up). */
async function waitQuiet(label) {
  const started = Date.now();
  for (;;) {
    const pids = busyPids();
    if (pids.length === 0) return Math.round((Date.now() - started) / 1000);
    if (Date.now() - started > 15 * 60_000) {
      log(`${label}: still busy (pids ${pids.join(',')}) after 15 min; measuring anyway`);
      return -1;
    }
    log(`${label}: busy (pids ${pids.join(',')}); waiting 20 s`);
    await sleep(20_000);
  }
}

/**
 * Runs a measurement on a quiet machine; when another benchmark or jest starts while it runs
 * (checked every 2 s), the result is thrown away and the measurement repeated (at most
 * `attempts` times; the last result is kept and marked polluted).
 */
async function guarded(label, fn, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    const waitedS = await waitQuiet(label);
    const intruders = new Set();
    const poll = setInterval(() => busyPids().forEach((p) => intruders.add(p)), 2000);
    let result;
    try {
      result = await fn();
    } finally {
      clearInterval(poll);
    }
    busyPids().forEach((p) => intruders.add(p));
    if (intruders.size === 0 || attempt >= attempts) return { ...result, waitedS, attempt, polluted: intruders.size > 0 ? [...intruders].join(',') : false };
    log(`${label}: pids ${[...intruders].join(',')} (${BUSY_PATTERN}) ran during the measurement; repeating it`);
  }
}

// ------------------------------------------------------------------ media

const ffprobeDuration = async (file) =>
  Number.parseFloat((await must('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file])).stdout);

// Plain sentences: no digits, contractions or hyphens, so the spoken words are the written ones.
const PARAGRAPHS = [
  'The river runs past the old mill at the edge of the town. In the morning the water is calm and clear, and the children walk along the bank on their way to school. They stop to watch the ducks and the small fish that swim near the stones.',
  'Every week the market opens in the square. Farmers bring fresh bread, green apples, yellow cheese and large baskets of vegetables. People talk about the weather, the price of corn and the news from the city, and nobody is ever in a hurry.',
  'My brother works at the railway station as a clerk. He sells tickets, answers questions and helps travelers find the right platform. When a train is late he tells everyone to be patient, and he offers them a cup of tea while they wait.',
  'In the evening the wind comes down from the hills and the air grows cold. We light a fire, cook a simple dinner and read books by the window. Sometimes we hear an owl in the forest, and sometimes we hear nothing at all except the rain.',
  'The library is a quiet place with tall shelves and long wooden tables. Students come there to study history, science and music. The librarian knows where every book is kept, and she is always happy to help a reader who is lost.',
  'Last summer we traveled to the coast and stayed in a small house near the beach. We swam in the sea, walked on the sand and watched the boats return in the late afternoon. It was the best holiday we have had in many years.',
];

/** ~10 minutes of flite speech and the text it speaks (cached). */
async function speechFile() {
  const base = PARAGRAPHS.join('\n\n');
  const key = createHash('sha256').update(base).digest('hex').slice(0, 12);
  const meta = path.join(CACHE, `speech-${key}.json`);
  if (existsSync(meta)) {
    const m = JSON.parse(readFileSync(meta, 'utf8'));
    if (existsSync(m.file) && statSync(m.file).size === m.size) return m;
  }
  log('synthesizing the speech recording with flite (voice awb)');
  const baseTxt = path.join(CACHE, `base-${key}.txt`);
  const baseWav = path.join(CACHE, `base-${key}.wav`);
  writeFileSync(baseTxt, `${base}\n`);
  await must('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `flite=textfile=${baseTxt}:voice=awb`, baseWav]);
  const once = await ffprobeDuration(baseWav);
  const reps = Math.max(1, Math.round(600 / once));
  const text = Array.from({ length: reps }, () => base).join('\n\n');
  const txt = path.join(CACHE, `speech-${key}.txt`);
  const file = path.join(CACHE, `speech-${key}-10min.wav`);
  writeFileSync(txt, `${text}\n`);
  await must('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `flite=textfile=${txt}:voice=awb`, file], { timeoutMs: 20 * 60_000 });
  const duration = await ffprobeDuration(file);
  const m = { file, txt, text, reps, duration, size: statSync(file).size };
  writeFileSync(meta, JSON.stringify(m, null, 2));
  return m;
}

/** Two hours of a 440 Hz tone that pauses 1 s every 10 s, Opus 24 kbit/s (cached). */
async function toneFile() {
  const file = path.join(CACHE, 'tone-2h.ogg');
  if (existsSync(file) && (await ffprobeDuration(file).catch(() => 0)) > 7190) return file;
  log('generating the 2-hour tone');
  await must(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', "aevalsrc='0.5*sin(2*PI*440*t)*lt(mod(t\\,10)\\,9)':s=16000:d=7200", '-ac', '1', '-c:a', 'libopus', '-b:a', '24k', `${file}.tmp.ogg`],
    { timeoutMs: 20 * 60_000 },
  );
  await must('mv', [`${file}.tmp.ogg`, file]);
  return file;
}

// ------------------------------------------------------------------ word error rate

const normalize = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9'\s]/g, ' ')
    .replace(/'/g, '')
    .split(/\s+/)
    .filter(Boolean);

/** Word-level Levenshtein distance / reference length, with its parts. */
function wer(reference, hypothesis) {
  const r = normalize(reference);
  const h = normalize(hypothesis);
  let prev = new Int32Array(h.length + 1).map((_, j) => j);
  let cur = new Int32Array(h.length + 1);
  for (let i = 1; i <= r.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= h.length; j++) {
      const sub = prev[j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j] + 1, cur[j - 1] + 1);
    }
    [prev, cur] = [cur, prev];
  }
  const edits = prev[h.length];
  return { wer: r.length ? edits / r.length : 0, edits, refWords: r.length, hypWords: h.length };
}

// ------------------------------------------------------------------ database, server, API

function cleanEnv() {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(OPENAI_|TRANSCRIBE_|TRANSLATE_|RATE_LIMITS|PRICES|REDIS_PREFIX|STORAGE_|PORT$|HOST$|ROLE$)/.test(k)) delete env[k];
  return env;
}

function serverEnv(db, port, extra) {
  return {
    ...cleanEnv(),
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: dbUrl(db),
    REDIS_URL,
    REDIS_PREFIX,
    STORAGE_DIR: STORE,
    ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'error',
    RATE_LIMITS: JSON.stringify({ jobs: { minute: 100000, hour: 100000 } }),
    ...extra,
  };
}

async function startServer(db, extra) {
  const port = await freePort();
  const child = spawnTracked(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js'), 'all'], { cwd: ROOT, env: serverEnv(db, port, extra) });
  await waitHttp(`http://127.0.0.1:${port}/health`, child);
  return { child, base: `http://127.0.0.1:${port}` };
}

function redisCleanup() {
  // only this benchmark's keys (its own prefix)
  const keys = spawnSync('redis-cli', ['-u', REDIS_URL, '--scan', '--pattern', `${REDIS_PREFIX}*`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (let i = 0; i < keys.length; i += 500) spawnSync('redis-cli', ['-u', REDIS_URL, 'DEL', ...keys.slice(i, i + 500)]);
}

async function createAccount(db) {
  const r = await must(process.execPath, [path.join(ROOT, 'dist', 'src', 'cli.js'), 'account:create', '--name', 'bench', '--credits', '100000'], {
    env: { ...cleanEnv(), DATABASE_URL: dbUrl(db), REDIS_URL, LOG_LEVEL: 'error' },
    timeoutMs: 120_000,
  });
  const line = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  return JSON.parse(line);
}

async function api(base, key, method, p, body) {
  const headers = { authorization: `Bearer ${key}` };
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(base + p, { method, headers, body: payload });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  if (!res.ok) throw new Error(`${method} ${p} → ${res.status}: ${text.slice(0, 500)}`);
  return json;
}

async function upload(base, key, file) {
  const form = new FormData();
  form.append('file', await openAsBlob(file), path.basename(file));
  const t = performance.now();
  const u = await api(base, key, 'POST', '/v1/uploads', form);
  return { ...u, ms: performance.now() - t };
}

/** All pids below `root` whose command name is `name`. */
function descendants(root, name) {
  const parent = new Map();
  const comm = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      comm.set(Number(d), stat.slice(stat.indexOf('(') + 1, close));
      parent.set(Number(d), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      /* exited */
    }
  }
  const found = [];
  for (const [pid, c] of comm) {
    if (c !== name) continue;
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p)) {
      if (p === root) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

/**
 * Submits a transcription of an upload and polls the job every 200 ms until it ends; samples
 * how many ffmpeg processes the server runs at once. Returns the job and the timings.
 */
async function transcribeJob(server, key, uploadId, timeoutMs) {
  let maxFfmpeg = 0;
  const sampler = setInterval(() => {
    maxFfmpeg = Math.max(maxFfmpeg, descendants(server.child.pid, 'ffmpeg').length);
  }, 100);
  try {
    const submitted = Date.now();
    const t = performance.now();
    const accepted = await api(server.base, key, 'POST', '/v1/transcribe', { upload_id: uploadId });
    const deadline = t + timeoutMs;
    for (;;) {
      const job = await api(server.base, key, 'GET', `/v1/jobs/${accepted.job_id}`);
      if (['completed', 'failed', 'canceled'].includes(job.status)) {
        return { job, wallMs: performance.now() - t, submitted, finished: Date.now(), accepted, maxFfmpeg };
      }
      if (performance.now() > deadline) throw new Error(`job ${accepted.job_id} still ${job.status} (${job.progress} %) after ${timeoutMs} ms`);
      if (server.child.exitCode !== null) throw new Error(`server exited ${server.child.exitCode}:\n${server.child.output}`);
      await sleep(200);
    }
  } finally {
    clearInterval(sampler);
  }
}

const vmHwmKiB = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/** Stitched segments: count, and whether they are in order without overlaps or gaps > 1 s. */
function checkSegments(segments, duration) {
  let overlaps = 0;
  let maxOverlap = 0;
  let gaps = 0;
  let maxGap = 0;
  for (let i = 1; i < segments.length; i++) {
    const d = segments[i].start - segments[i - 1].end;
    if (d < -0.001) overlaps++;
    maxOverlap = Math.max(maxOverlap, -d);
    if (d > 1) gaps++;
    maxGap = Math.max(maxGap, d);
  }
  const last = segments.at(-1)?.end ?? 0;
  return { segments: segments.length, overlaps, maxOverlap: Math.round(maxOverlap * 1000) / 1000, gaps, maxGap: Math.round(maxGap * 1000) / 1000, lastEnd: last, duration };
}

// ------------------------------------------------------------------ the benchmarks

async function localBenchmarks(db, key, results) {
  const speech = await speechFile();
  log(`speech: ${speech.duration.toFixed(1)} s, ${speech.reps} × the paragraphs, ${normalize(speech.text).length} words`);
  results.speech = { file: speech.file, duration: speech.duration, reps: speech.reps, words: normalize(speech.text).length };

  // a) pocketsphinx alone, the app's conversion and arguments
  const { pocketsphinxArgs, parsePocketsphinx } = await import(pathToFileURL(path.join(ROOT, 'dist', 'src', 'platform', 'tools', 'pocketsphinx-args.js')).href);
  const { speechWavArgs } = await import(pathToFileURL(path.join(ROOT, 'dist', 'src', 'modules', 'transcribe', 'transcribe-args.js')).href);
  const wav = path.join(CACHE, 'speech-16k.wav');
  results.pocketsphinx = await guarded('pocketsphinx', async () => {
    const loadBefore = loadavg();
    const conv = await must('ffmpeg', speechWavArgs(speech.file, wav));
    const audio = await ffprobeDuration(wav);
    log(`pocketsphinx_continuous on ${audio.toFixed(1)} s of audio (load ${loadBefore})`);
    const ps = await must('pocketsphinx_continuous', pocketsphinxArgs(wav), { timeoutMs: 60 * 60_000 });
    const loadAfter = loadavg();
    const words = parsePocketsphinx(ps.stdout);
    const w = wer(speech.text, words.map((x) => x.word).join(' '));
    log(`pocketsphinx: ${secs(ps.ms)} s wall, RTF ${(ps.ms / 1000 / audio).toFixed(3)}, WER ${(w.wer * 100).toFixed(1)} %`);
    return { convertS: secs(conv.ms), wallS: secs(ps.ms), audioS: Math.round(audio * 100) / 100, rtf: ps.ms / 1000 / audio, ...w, loadBefore, loadAfter };
  });

  // b) the whole job through the API
  results.apiLocal = await guarded('api local', async () => {
    const server = await startServer(db, { TRANSCRIBE_PROVIDER: 'local' });
    try {
      const up = await upload(server.base, key, speech.file);
      const loadB = loadavg();
      const r = await transcribeJob(server, key, up.upload_id, 60 * 60_000);
      const res = {
        uploadS: secs(up.ms),
        uploadDuration: up.duration,
        status: r.job.status,
        error: r.job.error,
        wallS: secs(r.wallMs),
        queuedS: r.job.started_at ? secs(Date.parse(r.job.started_at) - r.submitted) : null,
        credits: r.job.credits_charged,
        refunded: r.job.credits_refunded,
        maxFfmpeg: r.maxFfmpeg,
        serverHwmMiB: Math.round(vmHwmKiB(server.child.pid) / 1024),
        loadBefore: loadB,
        loadAfter: loadavg(),
      };
      if (r.job.status === 'completed') {
        const text = r.job.result.text ?? r.job.result.segments.map((s) => s.text).join(' ');
        Object.assign(res, { resultDuration: r.job.result.duration, segments: r.job.result.segments.length, apiWer: wer(speech.text, text) });
      }
      log(`API local: ${r.job.status} in ${res.wallS} s`);
      return res;
    } finally {
      await stopChild(server.child);
    }
  });
}

/**
 * The ffmpeg work the OpenAI path does before its first request, step by step with the app's
 * own arguments: Opus re-encode, silencedetect, and the chunk cuts (all at once, as the app
 * does). Also how big the app's Opus is for real speech (the flite recording), per hour.
 */
async function ffmpegSteps(tone, results) {
  const c = await import(pathToFileURL(path.join(ROOT, 'dist', 'src', 'modules', 'transcribe', 'chunking.js')).href);
  const dir = path.join(CACHE, 'prep');
  const speech = await speechFile();
  results.ffmpegSteps = await guarded('ffmpeg steps', async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const out = { loadBefore: loadavg() };
      const ogg = path.join(dir, 'speech.ogg');
      out.opusS = secs((await must('ffmpeg', c.speechOpusArgs(tone, ogg), { timeoutMs: 30 * 60_000 })).ms);
      const duration = await ffprobeDuration(ogg);
      out.opusBytes = statSync(ogg).size;
      out.opusMBPerHour = Math.round((out.opusBytes / 1e6 / duration) * 3600 * 100) / 100;
      const sd = await must('ffmpeg', c.silenceDetectArgs(ogg), { timeoutMs: 30 * 60_000 });
      out.silenceS = secs(sd.ms);
      const silences = c.parseSilences(sd.stdout);
      out.silences = silences.length;
      for (const mb of [25, 2]) {
        const plan = c.planChunks(duration, out.opusBytes, Math.floor(mb * 1024 * 1024), silences);
        const t = performance.now();
        if (plan.length > 1) await Promise.all(plan.map(([a, b], i) => must('ffmpeg', c.chunkArgs(ogg, path.join(dir, `chunk-${i}.ogg`), a, b))));
        out[`cut${mb}MB`] = { chunks: plan.length, s: secs(performance.now() - t) };
      }
      // real speech through the same encoder
      const sogg = path.join(dir, 'speech-flite.ogg');
      await must('ffmpeg', c.speechOpusArgs(speech.file, sogg));
      out.speechOpusMBPerHour = Math.round((statSync(sogg).size / 1e6 / (await ffprobeDuration(sogg))) * 3600 * 100) / 100;
      out.loadAfter = loadavg();
      log(`ffmpeg steps: opus ${out.opusS} s (${out.opusMBPerHour} MB/h), silencedetect ${out.silenceS} s, cuts ${JSON.stringify(out.cut25MB)} ${JSON.stringify(out.cut2MB)}; flite speech ${out.speechOpusMBPerHour} MB/h`);
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function openaiBenchmarks(db, key, results) {
  const tone = await toneFile();
  const toneDuration = await ffprobeDuration(tone);
  results.tone = { file: tone, duration: toneDuration, size: statSync(tone).size };
  await ffmpegSteps(tone, results);
  const fake = spawnTracked(process.execPath, [path.join(ROOT, 'bench', 'fake-openai.mjs'), '0'], { cwd: ROOT, env: { ...process.env, LATENCY_MS: String(LATENCY_MS) } });
  try {
    const fakePort = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake-openai did not start: ${fake.output}`)), 15_000);
      fake.stdout.on('data', () => {
        const m = /listening (\d+)/.exec(fake.output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      fake.on('exit', (c) => reject(new Error(`fake-openai exited ${c}: ${fake.output}`)));
    });
    const fakeBase = `http://127.0.0.1:${fakePort}`;
    results.openai = [];
    for (const [mb, concurrency] of [
      [25, 1],
      [25, 4],
      [2, 1],
      [2, 4],
    ]) {
      const res = await guarded(`openai ${mb} MB c=${concurrency}`, async () => {
        const env = { TRANSCRIBE_PROVIDER: 'openai', OPENAI_BASE_URL: `${fakeBase}/v1`, OPENAI_API_KEY: 'bench', OPENAI_CONCURRENCY: String(concurrency) };
        if (mb !== 25) env.OPENAI_MAX_UPLOAD_MB = String(mb);
        const server = await startServer(db, env);
        try {
          const up = await upload(server.base, key, tone);
          await fetch(`${fakeBase}/reset`, { method: 'POST' });
          const loadB = loadavg();
          const r = await transcribeJob(server, key, up.upload_id, 20 * 60_000);
          const stats = await (await fetch(`${fakeBase}/stats`)).json();
          const chunks = stats.requests;
          const firstIn = Math.min(...stats.log.map((e) => e.receivedAt));
          const lastOut = Math.max(...stats.log.map((e) => e.answeredAt));
          const wallS = r.wallMs / 1000;
          const res = {
            maxUploadMB: mb,
            concurrency,
            status: r.job.status,
            error: r.job.error,
            chunks,
            maxInFlight: stats.maxInFlight,
            wallS: Math.round(wallS * 100) / 100,
            // the brief's rough estimate of what is not the fake's latency
            outsideS: Math.round((wallS - (chunks * LATENCY_MS) / 1000 / concurrency) * 100) / 100,
            // the exact split: before the first request reached the fake (ffmpeg: Opus, silences,
            // cuts), talking to the fake, after the last answer (stitching, storing, polling)
            beforeFirstS: chunks ? secs(firstIn - r.submitted) : null,
            requestsS: chunks ? secs(lastOut - firstIn) : null,
            afterLastS: chunks ? secs(r.finished - lastOut) : null,
            chunkBytes: stats.log.map((e) => e.bytes),
            chunkSeconds: stats.log.map((e) => Math.round(e.duration * 10) / 10),
            maxFfmpeg: r.maxFfmpeg,
            uploadS: secs(up.ms),
            credits: r.job.credits_charged,
            refunded: r.job.credits_refunded,
            serverHwmMiB: Math.round(vmHwmKiB(server.child.pid) / 1024),
            loadBefore: loadB,
            loadAfter: loadavg(),
          };
          if (r.job.status === 'completed') res.check = checkSegments(r.job.result.segments, r.job.result.duration);
          log(`openai ${mb} MB c=${concurrency}: ${r.job.status}, ${chunks} chunks, max in flight ${stats.maxInFlight}, ${res.wallS} s`);
          return res;
        } finally {
          await stopChild(server.child);
        }
      });
      results.openai.push(res);
    }
  } finally {
    await stopChild(fake);
  }
}

// ------------------------------------------------------------------ report

function report(results) {
  const out = [];
  const f = (n, d = 2) => (n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n).toFixed(d));
  out.push(`Transcription benchmark, ${new Date(T0).toISOString()}, ${os.cpus().length} CPUs, node ${process.version}, database ${results.db}`);
  out.push('');
  if (results.pocketsphinx) {
    const p = results.pocketsphinx;
    out.push('| local (pocketsphinx) | audio s | wall s | RTF (wall/audio) | WER | ref / hyp words | load before → after |');
    out.push('|---|---:|---:|---:|---:|---:|---|');
    out.push(`| pocketsphinx_continuous alone | ${f(p.audioS, 1)} | ${f(p.wallS)} | ${f(p.rtf, 3)} | ${f(p.wer * 100, 1)} % | ${p.refWords} / ${p.hypWords} | ${p.loadBefore} → ${p.loadAfter} |`);
    const a = results.apiLocal;
    if (a) {
      out.push(
        `| API job, submit → completed (${a.status}) | ${f(a.resultDuration ?? a.uploadDuration, 1)} | ${f(a.wallS)} | ${f(a.wallS / (a.resultDuration ?? a.uploadDuration), 3)} | ${a.apiWer ? `${f(a.apiWer.wer * 100, 1)} %` : '–'} | ${a.apiWer ? `${a.apiWer.refWords} / ${a.apiWer.hypWords}` : '–'} | ${a.loadBefore} → ${a.loadAfter} |`,
      );
      out.push('');
      out.push(`API job: upload ${f(a.uploadS)} s (not counted), queued ${f(a.queuedS)} s, ${a.credits} credits charged, ${a.refunded} refunded, max ${a.maxFfmpeg} ffmpeg at once, server peak RSS ${a.serverHwmMiB} MiB${a.error ? `, error ${JSON.stringify(a.error)}` : ''}.`);
    }
    out.push('');
  }
  const st = results.ffmpegSteps;
  if (st) {
    out.push(
      `ffmpeg work of the OpenAI path on the 2-hour tone, alone (app's arguments): Opus re-encode ${f(st.opusS)} s (${f(st.opusBytes / 1e6, 1)} MB, ${st.opusMBPerHour} MB/h), ` +
        `silencedetect ${f(st.silenceS)} s (${st.silences} silences), cutting ${st.cut25MB.chunks} chunks ${f(st.cut25MB.s)} s (25 MB limit) / ${st.cut2MB.chunks} chunks ${f(st.cut2MB.s)} s (2 MB, all at once); ` +
        `load ${st.loadBefore} → ${st.loadAfter}. The same encoder on the flite speech: ${st.speechOpusMBPerHour} MB/h.`,
    );
    out.push('');
  }
  if (results.openai?.length) {
    out.push(`OpenAI path: ${f(results.tone.duration, 0)} s tone (${f(results.tone.size / 1e6, 1)} MB Opus), fake server latency ${LATENCY_MS} ms per request.`);
    out.push('');
    out.push('| upload limit | concurrency | status | chunks | max in flight | wall s | wall − chunks×latency/conc | before 1st request s | requests s | after last s | max ffmpeg at once | load before → after |');
    out.push('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const r of results.openai) {
      out.push(
        `| ${r.maxUploadMB} MB | ${r.concurrency} | ${r.status} | ${r.chunks} | ${r.maxInFlight} | ${f(r.wallS)} | ${f(r.outsideS)} | ${f(r.beforeFirstS)} | ${f(r.requestsS)} | ${f(r.afterLastS)} | ${r.maxFfmpeg} | ${r.loadBefore} → ${r.loadAfter} |`,
      );
    }
    out.push('');
    for (const r of results.openai) {
      const c = r.check;
      out.push(
        `- ${r.maxUploadMB} MB, c=${r.concurrency}: chunk sizes ${r.chunkBytes.map((b) => (b / 1e6).toFixed(2)).join(', ')} MB; chunk seconds ${r.chunkSeconds.join(', ')}; ` +
          (c ? `${c.segments} segments, ${c.overlaps} overlaps (max ${c.maxOverlap} s), ${c.gaps} gaps > 1 s (max ${c.maxGap} s), last ends ${c.lastEnd} of ${f(c.duration, 1)} s; ` : '') +
          `${r.credits} credits, ${r.refunded} refunded; server peak RSS ${r.serverHwmMiB} MiB${r.error ? `; error ${JSON.stringify(r.error)}` : ''}`,
      );
    }
  }
  out.push('');
  const guard = (name, r) => r && `- ${name}: waited ${r.waitedS} s for a quiet machine, attempt ${r.attempt}${r.polluted ? `, POLLUTED (pids ${r.polluted} ran during it)` : ', nothing else ran during it'}`;
  out.push(
    ...[
      guard('pocketsphinx alone', results.pocketsphinx),
      guard('API local job', results.apiLocal),
      guard('ffmpeg steps', results.ffmpegSteps),
      ...(results.openai ?? []).map((r) => guard(`openai ${r.maxUploadMB} MB c=${r.concurrency}`, r)),
    ].filter(Boolean),
  );
  return out.join('\n');
}

async function main() {
  const results = { startedAt: new Date(T0).toISOString(), nproc: os.cpus().length, node: process.version, latencyMs: LATENCY_MS };
  let db = DB;
  ensureDatabase(db);
  // A server with workers re-enqueues pending jobs it finds (the sweeper): jobs other benchmarks
  // left pending in mediary_bench would run here and pollute the numbers. Use a database of our own then.
  const pending = Number(psql(db, "SELECT count(*) FROM jobs WHERE status IN ('pending', 'processing')"));
  if (pending > 0) {
    log(`${pending} pending/processing jobs in ${db} (other benchmarks'); using mediary_bench_transcribe instead`);
    db = 'mediary_bench_transcribe';
    ensureDatabase(db);
  }
  results.db = db;
  rmSync(STORE, { recursive: true, force: true });
  redisCleanup();
  const account = await createAccount(db);
  try {
    if (process.env.SKIP_LOCAL !== '1') await localBenchmarks(db, account.api_key, results);
    if (process.env.SKIP_OPENAI !== '1') await openaiBenchmarks(db, account.api_key, results);
  } finally {
    await stopAll();
    redisCleanup();
    rmSync(STORE, { recursive: true, force: true });
    writeFileSync(path.join(CACHE, 'results.json'), JSON.stringify(results, null, 2));
  }
  process.stdout.write(`${report(results)}\n`);
}

main().then(
  () => process.exit(0),
  async (err) => {
    log(`failed: ${err.stack ?? err}`);
    await stopAll();
    process.exit(1);
  },
);

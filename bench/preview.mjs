#!/usr/bin/env node
// Previews: each type's time from submit to completed through Mediary, side by side with the bare
// ffmpeg command doing the same on the same URL in the same run (and, for the mosaic and the
// storyboard, with decoding the whole file, which is what reading it all would cost).
// Usage: node bench/preview.mjs [runs=3]
// Needs a build in dist/ (npm run build), PostgreSQL and Redis on 127.0.0.1, ffmpeg, yt-dlp.
// BENCH_PREVIEW_DB names the database (default mediary_bench_preview); BENCH_PREVIEW_TYPES=thumbnail,gif
// measures only those types.
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, TEN_MINUTES_SECONDS, TMP, dropRedisPrefix, ensureAccounts, finalJobEvent, timedFfmpeg, ensureDatabase, ensureTenMinutes720p, freePort, loadavg, log, machine, median, serverEnv,
  spawnTracked, startMediaServer, stopAll, waitHttp, waitQuiet,
} from './lib.mjs';

const RUNS = Number(process.argv[2] ?? 3);
const DB = process.env.BENCH_PREVIEW_DB ?? 'mediary_bench_preview';
const prefix = `bench_preview_${process.pid}`;
const storageDir = path.join(TMP, `storage-${prefix}`);
const DURATION = TEN_MINUTES_SECONDS;
const TYPES = process.env.BENCH_PREVIEW_TYPES?.split(',') ?? null;

async function main() {
  log(`machine: ${JSON.stringify(machine())}`);
  ensureDatabase(DB);
  const [account] = await ensureAccounts('preview', 1, { db: DB });
  const file = ensureTenMinutes720p();
  const media = await startMediaServer(path.dirname(file));
  const url = `${media.base}/${path.basename(file)}`;
  const out = (name) => path.join(TMP, `bare-${name}`);
  const input = ['-i', url];

  // What each preview does, as one bare command (the preview's own commands run alone), and the full decode.
  const cases = [
    { type: 'thumbnail', body: { timestamp: 300 }, bare: [['-ss', '300', ...input, '-frames:v', '1', '-vf', 'scale=1280:720', out('t.jpg')]] },
    {
      type: 'gif', body: { start: 300, duration: 5 },
      bare: [['-ss', '300', '-t', '5', ...input, '-filter_complex', '[0:v:0]fps=10,scale=480:270:flags=lanczos,split[a][b];[a]palettegen=stats_mode=diff[p];[b][p]paletteuse=dither=bayer:bayer_scale=5', '-loop', '0', out('g.gif')]],
    },
    {
      type: 'mosaic', body: {},
      bare: Array.from({ length: 16 }, (_, i) => ['-ss', String(((i + 0.5) * DURATION) / 16), ...input, '-frames:v', '1', '-vf', 'scale=318:178', '-f', 'rawvideo', '-pix_fmt', 'rgb24', out(`m${i}.rgb`)]),
      parallel: 4,
      full: [...input, '-vf', `fps=16/${DURATION},scale=318:178,tile=4x4`, '-frames:v', '1', '-an', out('mfull.jpg')],
    },
    {
      type: 'storyboard', body: {},
      bare: Array.from({ length: 100 }, (_, i) => ['-ss', String(i * 6), ...input, '-frames:v', '1', '-vf', 'scale=160:90', '-f', 'rawvideo', '-pix_fmt', 'rgb24', out(`s${i}.rgb`)]),
      parallel: 4,
      full: [...input, '-vf', 'fps=1/6,scale=160:90,tile=10x10', '-frames:v', '1', '-an', out('sfull.jpg')],
    },
    { type: 'clip', body: { start: 300, duration: 10 }, bare: [['-ss', '300', '-t', '10', ...input, '-map', '0:v:0', '-map', '0:a:0', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac', out('c.mp4')]] },
    { type: 'waveform', body: {}, bare: [[...input, '-map', '0:a:0', '-ac', '1', '-ar', '8000', '-f', 's16le', out('w.pcm')]] },
  ];

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  rmSync(storageDir, { recursive: true, force: true });
  const server = spawnTracked(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js'), 'all'], {
    cwd: ROOT,
    env: serverEnv({ PORT: String(port), ROLE: 'all', REDIS_PREFIX: prefix, STORAGE_DIR: storageDir }, DB),
  });
  await waitHttp(`${base}/health`, server);
  // /v1/info once: the submit-time resolution is cached, as it is for a customer who looked first.
  await fetch(`${base}/v1/info`, { method: 'POST', headers: { authorization: `Bearer ${account.api_key}`, 'content-type': 'application/json' }, body: JSON.stringify({ url }) });

  const rows = [];
  for (const c of cases.filter((k) => !TYPES || TYPES.includes(k.type))) {
    const bare = [];
    const full = [];
    const mediary = [];
    let bytesRead = 0;
    for (let i = 0; i <= RUNS; i++) {
      await waitQuiet(c.type);
      const load = loadavg();
      const t0 = performance.now();
      const queue = [...c.bare];
      await Promise.all(Array.from({ length: c.parallel ?? 1 }, async () => {
        for (let args = queue.shift(); args; args = queue.shift()) await timedFfmpeg(args);
      }));
      const bareMs = performance.now() - t0;
      const fullMs = c.full ? await timedFfmpeg(c.full) : null;
      const s0 = performance.now();
      const res = await fetch(`${base}/v1/preview`, {
        method: 'POST', headers: { authorization: `Bearer ${account.api_key}`, 'content-type': 'application/json' }, body: JSON.stringify({ url, type: c.type, ...c.body }),
      });
      const accepted = await res.json();
      if (res.status !== 202) throw new Error(`${c.type}: ${res.status} ${JSON.stringify(accepted)}`);
      const end = await finalJobEvent(base, accepted.job_id, account.api_key);
      const ms = end.at - s0;
      if (end.status !== 'completed') throw new Error(`${c.type} ended ${end.status}`);
      const job = await (await fetch(`${base}/v1/jobs/${accepted.job_id}`, { headers: { authorization: `Bearer ${account.api_key}` } })).json();
      bytesRead = job.result.source.bytes_read;
      log(`${c.type} ${i === 0 ? '(warm-up)' : `run ${i}`}: bare ${bareMs.toFixed(0)} ms${fullMs ? `, full decode ${fullMs.toFixed(0)} ms` : ''}, Mediary ${ms.toFixed(0)} ms (load ${load})`);
      if (i > 0) {
        bare.push(bareMs);
        if (fullMs) full.push(fullMs);
        mediary.push(ms);
      }
    }
    rows.push({ type: c.type, bare: median(bare), full: full.length ? median(full) : null, mediary: median(mediary), bytesRead });
  }
  const size = statSync(file).size;
  console.log(`\n${path.basename(file)}: ${(size / 1e6).toFixed(1)} MB, ${DURATION} s; medians of ${RUNS} runs\n`);
  console.log('| type | bare ffmpeg (ms) | full decode (ms) | Mediary submit → completed (ms) | ratio to bare | source read |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.type} | ${r.bare.toFixed(0)} | ${r.full ? r.full.toFixed(0) : '—'} | ${r.mediary.toFixed(0)} | ${(r.mediary / r.bare).toFixed(2)}× | ${((100 * r.bytesRead) / size).toFixed(1)} % |`);
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    await dropRedisPrefix(prefix).catch(() => undefined);
    rmSync(storageDir, { recursive: true, force: true });
  });

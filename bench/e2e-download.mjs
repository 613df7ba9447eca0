#!/usr/bin/env node
// End-to-end download: yt-dlp alone vs. submit → completed through Mediary, on a ~100 MB mp4
// served from 127.0.0.1, plus the server's RSS growth.
// Usage: node bench/e2e-download.mjs [runs=3] [megabytes=100]
// (e.g. `1 1000` for one timed run on ~1 GB: the 100 MB file repeated with ffmpeg -stream_loop).
// Needs a build in dist/ (npm run build), PostgreSQL and Redis on 127.0.0.1, ffmpeg, yt-dlp.
// BENCH_TARGET=<checkout> measures another checkout's build; BENCH_E2E_DB names the database.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, TMP, dropRedisPrefix, ensureAccounts, ensureDatabase, ffmpeg, finalJobEvent, freePort, loadavg, log, machine, median, psql,
  serverEnv, sleep, spawnTracked, startMediaServer, stopAll, stopChild, waitHttp, waitQuiet,
} from './lib.mjs';

const RUNS = Number(process.argv[2] ?? 3);
const MEGABYTES = Number(process.argv[3] ?? 100);
const TARGET_BYTES = 100 * 1e6;
const RSS_SAMPLE_MS = 20;
const prefix = `bench_e2e_${process.pid}`;
const storageDir = path.join(TMP, `storage-${prefix}`);
const mediaDir = path.join(TMP, 'media-big');
const BASE_FILE = 'big720p.mp4';
const FILE = MEGABYTES === 100 ? BASE_FILE : `big720p-${MEGABYTES}MB.mp4`;
// Its own database: mediary_bench is full of never-run jobs from bench/api.mjs, which the
// sweeper of a `main.js all` server would enqueue ahead of the measured download.
const DB = process.env.BENCH_E2E_DB ?? 'mediary_bench_e2e';

/** ~100 MB of 1280x720 H.264 at a constant 25 Mb/s with an AAC track; made once, then cached. */
function ensureBigFile() {
  mkdirSync(mediaDir, { recursive: true });
  const file = path.join(mediaDir, BASE_FILE);
  if (existsSync(file) && statSync(file).size > 0.85 * TARGET_BYTES) return file;
  let seconds = Math.round((TARGET_BYTES * 8) / 25.5e6);
  for (let attempt = 0; attempt < 2; attempt++) {
    log(`generating ${FILE} (${seconds} s of 720p at 25 Mb/s)`);
    ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-b:v', '25M', '-minrate', '25M', '-maxrate', '25M', '-bufsize', '25M', '-x264-params', 'nal-hrd=cbr',
      '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', file,
    ]);
    const size = statSync(file).size;
    log(`${FILE}: ${(size / 1e6).toFixed(1)} MB`);
    if (size > 0.9 * TARGET_BYTES && size < 1.15 * TARGET_BYTES) break;
    seconds = Math.max(1, Math.round((seconds * TARGET_BYTES) / size));
  }
  return file;
}

/** The 100 MB file played `MEGABYTES / 100` times over, stream-copied into one mp4 (seconds to make); cached. */
function ensureLargeFile(base) {
  const file = path.join(mediaDir, FILE);
  const want = MEGABYTES * 1e6;
  if (existsSync(file) && Math.abs(statSync(file).size - want) < 0.15 * want) return file;
  const loops = Math.max(1, Math.round(want / statSync(base).size)) - 1;
  log(`generating ${FILE} (${loops + 1} × ${BASE_FILE}, stream copy)`);
  ffmpeg(['-stream_loop', String(loops), '-i', base, '-c', 'copy', '-movflags', '+faststart', file]);
  log(`${FILE}: ${(statSync(file).size / 1e6).toFixed(1)} MB`);
  return file;
}

function timed(cmd, args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      code === 0 ? resolve(ms) : reject(new Error(`${cmd} exited ${code}: ${err}`));
    });
  });
}

const rssKiB = (pid, field = 'VmRSS') => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

/** RSS of pid and all its descendants (yt-dlp, ffprobe, ffmpeg started by the worker). */
function treeRssKiB(root) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  let total = 0;
  for (const pid of parent.keys()) {
    for (let p = pid; p && p !== 1; p = parent.get(p)) {
      if (p === root) {
        total += rssKiB(pid);
        break;
      }
    }
  }
  return total;
}

const cpuTicks = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

async function main() {
  log(`machine: ${JSON.stringify(machine())}`);
  ensureDatabase(DB);
  const pending = psql(DB, "SELECT count(*) FROM jobs WHERE status IN ('pending', 'processing')");
  if (pending !== '0') throw new Error(`${DB} has ${pending} unfinished jobs; they would run before the measured ones`);
  const [account] = await ensureAccounts('e2e', 1, { db: DB });
  const baseFile = ensureBigFile();
  const file = MEGABYTES === 100 ? baseFile : ensureLargeFile(baseFile);
  const size = statSync(file).size;
  const media = await startMediaServer(mediaDir);
  const url = `${media.base}/${FILE}`;
  const out = path.join(TMP, 'x.mp4');

  // 1. yt-dlp alone: one untimed warm-up, then RUNS timed runs
  const alone = [];
  for (let i = 0; i <= RUNS; i++) {
    await waitQuiet('yt-dlp alone');
    rmSync(out, { force: true });
    const load = loadavg();
    const ms = await timed('yt-dlp', ['-o', out, url]);
    if (statSync(out).size !== size) throw new Error(`yt-dlp wrote ${statSync(out).size} bytes, expected ${size}`);
    log(`yt-dlp alone ${i === 0 ? '(warm-up)' : `run ${i}`}: ${ms.toFixed(0)} ms (load ${load})`);
    if (i > 0) alone.push({ ms, load });
  }
  rmSync(out, { force: true });

  // 2. through Mediary: API and workers in one process
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  rmSync(storageDir, { recursive: true, force: true });
  const server = spawnTracked(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js'), 'all'], {
    cwd: ROOT,
    env: serverEnv({ PORT: String(port), ROLE: 'all', REDIS_PREFIX: prefix, STORAGE_DIR: storageDir }, DB),
  });
  await waitHttp(`${base}/health`, server);
  const headers = { authorization: `Bearer ${account.api_key}`, 'content-type': 'application/json' };

  const e2e = [];
  for (let i = 0; i <= RUNS; i++) {
    await waitQuiet('e2e download');
    await sleep(500);
    try {
      writeFileSync(`/proc/${server.pid}/clear_refs`, '5'); // resets VmHWM (peak RSS)
    } catch {
      /* not permitted: the sampled peak still counts */
    }
    const load = loadavg();
    const cpu0 = cpuTicks(server.pid);
    const rssBefore = rssKiB(server.pid);
    const treeBefore = treeRssKiB(server.pid);
    let rssPeak = rssBefore;
    let treePeak = treeBefore;
    let tick = 0;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssKiB(server.pid));
      // walking /proc is dearer: every 5th sample only
      if (tick++ % 5 === 0) treePeak = Math.max(treePeak, treeRssKiB(server.pid));
    }, RSS_SAMPLE_MS);
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/download`, { method: 'POST', headers, body: JSON.stringify({ url, format: 'mp4' }) });
    const accepted = await res.json();
    if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(accepted)}`);
    const submitMs = performance.now() - t0;
    let timer;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('job did not finish within 10 min')), 10 * 60_000)));
    const end = await Promise.race([finalJobEvent(base, accepted.job_id, account.api_key), timeout]).finally(() => clearTimeout(timer));
    const ms = end.at - t0;
    clearInterval(sampler);
    const job = await (await fetch(`${base}/v1/jobs/${accepted.job_id}`, { headers })).json();
    rssPeak = Math.max(rssPeak, rssKiB(server.pid), rssKiB(server.pid, 'VmHWM'));
    const serverCpuMs = (cpuTicks(server.pid) - cpu0) * 10;
    if (job.status !== 'completed') throw new Error(`job ${job.status}: ${JSON.stringify(job.error)}`);
    const outSize = job.result?.size ?? job.result?.files?.[0]?.size;
    const at = (k) => (job[k] ? Date.parse(job[k]) : NaN);
    const row = {
      ms,
      submitMs,
      queuedMs: at('started_at') - at('created_at'),
      runMs: at('completed_at') - at('started_at'),
      // completed_at is the completing transaction's start: this is its commit plus the event's way to the client.
      announceMs: performance.timeOrigin + end.at - at('completed_at'),
      rssBeforeMiB: rssBefore / 1024,
      rssPeakMiB: rssPeak / 1024,
      treePeakMiB: treePeak / 1024,
      treeBeforeMiB: treeBefore / 1024,
      load,
      outSize,
      serverCpuMs,
    };
    log(
      `mediary ${i === 0 ? '(warm-up)' : `run ${i}`}: ${ms.toFixed(0)} ms (submit ${submitMs.toFixed(0)} ms, queued ${row.queuedMs} ms, ` +
        `running ${row.runMs} ms, completed_at → event ${row.announceMs.toFixed(0)} ms), RSS ${row.rssBeforeMiB.toFixed(0)} → ${row.rssPeakMiB.toFixed(0)} MiB, ` +
        `tree peak ${row.treePeakMiB.toFixed(0)} MiB, server CPU ${serverCpuMs} ms, output ${outSize} bytes (load ${load})`,
    );
    if (i > 0) e2e.push(row);
  }
  await stopChild(server);

  // 3. diagnostics: the worker's own yt-dlp command line and ffprobe, timed alone (from dist/)
  const diag = [];
  try {
    // where the builds keep them: after the layout change (modules/, platform/), and before it (utils/)
    const firstOf = async (...files) => {
      for (const f of files) if (existsSync(path.join(ROOT, 'dist', 'src', f))) return import(path.join(ROOT, 'dist', 'src', f));
      throw new Error(`none of ${files.join(', ')} in dist/`);
    };
    const { downloadArgs } = await firstOf('modules/download/download-args.js', 'utils/ytdlp-args.js');
    const { probeArgs } = await firstOf('platform/tools/ffprobe.js', 'utils/ffmpeg-args.js');
    const work = path.join(TMP, 'diag-work');
    const args = downloadArgs(url, { request: { url, format: 'mp4' }, outputDir: work, maxDurationSeconds: 4 * 3600, maxFileBytes: 4096 * 2 ** 20 });
    for (const [label, cmd, argv] of [
      ["yt-dlp with the worker's arguments", 'yt-dlp', args],
      ["ffprobe with the worker's arguments (on the downloaded file)", 'ffprobe', probeArgs(path.join(work, 'media.mp4'))],
    ]) {
      const times = [];
      for (let i = 0; i <= RUNS; i++) {
        await waitQuiet(label);
        if (cmd === 'yt-dlp') rmSync(work, { recursive: true, force: true });
        const ms = await timed(cmd, argv);
        if (i > 0) times.push(ms);
      }
      log(`${label}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      diag.push({ label, times, median: median(times) });
    }
    rmSync(work, { recursive: true, force: true });
  } catch (err) {
    log(`diagnostics skipped: ${err.message}`);
  }
  await stopChild(media.child);

  const a = median(alone.map((r) => r.ms));
  const b = median(e2e.map((r) => r.ms));
  const growth = e2e.map((r) => r.rssPeakMiB - r.rssBeforeMiB);
  const worker = diag.find((d) => d.label.startsWith('yt-dlp'));
  const lines = [
    `Target: ${ROOT}; file: ${(size / 1e6).toFixed(1)} MB, 1280x720 H.264 25 Mb/s + AAC, served from 127.0.0.1; ${RUNS} timed runs each after one warm-up`,
    '',
    '| | runs (ms) | median (ms) | loadavg at each run start |',
    '|---|---|---:|---|',
    `| yt-dlp -o ${out} URL | ${alone.map((r) => r.ms.toFixed(0)).join(', ')} | ${a.toFixed(0)} | ${alone.map((r) => r.load.split(' ')[0]).join(', ')} |`,
    `| Mediary submit → completed (final SSE event) | ${e2e.map((r) => r.ms.toFixed(0)).join(', ')} | ${b.toFixed(0)} | ${e2e.map((r) => r.load.split(' ')[0]).join(', ')} |`,
    '',
    `Ratio: ${(b / a).toFixed(2)}× (goal ≤ 1.15×) — ${b / a <= 1.15 ? 'met' : 'MISSED'}; fixed cost ${(b - a).toFixed(0)} ms (median Mediary − median yt-dlp alone)` +
      (worker ? `, ${(b - worker.median).toFixed(0)} ms over the worker's own yt-dlp command timed alone` : ''),
    `Mediary breakdown (median): submit ${median(e2e.map((r) => r.submitMs)).toFixed(0)} ms, queued ${median(e2e.map((r) => r.queuedMs)).toFixed(0)} ms, ` +
      `worker ${median(e2e.map((r) => r.runMs)).toFixed(0)} ms, completed_at → final event at the client ${median(e2e.map((r) => r.announceMs)).toFixed(0)} ms (server timestamps)`,
    `Server RSS (node process): before ${e2e.map((r) => r.rssBeforeMiB.toFixed(0)).join(', ')} MiB; peak ${e2e.map((r) => r.rssPeakMiB.toFixed(0)).join(', ')} MiB; growth ${growth.map((g) => g.toFixed(0)).join(', ')} MiB (median ${median(growth).toFixed(0)} MiB)`,
    `Server CPU during the job (node process, incl. the event stream): ${e2e.map((r) => r.serverCpuMs).join(', ')} ms`,
    `Process tree (server + yt-dlp/ffprobe children): peak ${e2e.map((r) => r.treePeakMiB.toFixed(0)).join(', ')} MiB`,
    ...diag.map((d) => `Diagnostic, ${d.label}: ${d.times.map((t) => t.toFixed(0)).join(', ')} ms (median ${d.median.toFixed(0)} ms)`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  writeFileSync(path.join(TMP, 'e2e-results.json'), JSON.stringify({ size, alone, e2e, diag }, null, 1));
}

main()
  .catch((err) => {
    process.exitCode = 1;
    log(`failed: ${err.stack ?? err}`);
  })
  .finally(async () => {
    await stopAll();
    await dropRedisPrefix(prefix).catch(() => 0);
    rmSync(storageDir, { recursive: true, force: true });
  });

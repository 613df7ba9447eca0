#!/usr/bin/env node
// Fingerprints: (1) speed as × real time on a ten-minute 720p file, submit → completed through
// Mediary against the bare ffmpeg decode of the same file in the same run; (2) search latency
// p50/p99 with libraries of 10,000 and 100,000 fingerprinted minutes (hashes generated in the
// database), against a full scan of the same table.
// Usage: node bench/fingerprint.mjs [searches=200] [--search-only]
// Needs a build in dist/ (npm run build), PostgreSQL and Redis on 127.0.0.1, ffmpeg, yt-dlp.
// BENCH_FINGERPRINT_DB names the database (default mediary_bench_fingerprint).
import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, TEN_MINUTES_SECONDS, TMP, dropRedisPrefix, ensureAccounts, finalJobEvent, timedFfmpeg, ensureDatabase, ensureTenMinutes720p, freePort, loadavg, log, machine,
  percentile, psql, serverEnv, spawnTracked, startMediaServer, stopAll, waitHttp, waitQuiet,
} from './lib.mjs';

const SEARCHES = Number(process.argv[2] ?? 200);
const SEARCH_ONLY = process.argv.includes('--search-only');
const DB = process.env.BENCH_FINGERPRINT_DB ?? 'mediary_bench_fingerprint';
const prefix = `bench_fingerprint_${process.pid}`;
const storageDir = path.join(TMP, `storage-${prefix}`);
/** A library entry is a ten-minute video: 600 hashes. */
const ENTRY_SECONDS = 600;



/**
 * A library of `minutes` fingerprinted minutes for one account, made in SQL: completed
 * fingerprint jobs of ten minutes each, random 64-bit hashes per second with their bands.
 */
function fillLibrary(accountId, minutes) {
  const entries = Math.ceil(minutes / (ENTRY_SECONDS / 60));
  log(`library of ${minutes} minutes: ${entries} fingerprints, ${entries * ENTRY_SECONDS} hashes`);
  psql(DB, `
    DELETE FROM fingerprint_frames WHERE account_id = '${accountId}';
    DELETE FROM fingerprints WHERE account_id = '${accountId}';
    CREATE TEMP TABLE lib AS SELECT gen_random_uuid() AS job_id FROM generate_series(1, ${entries});
    INSERT INTO jobs (id, account_id, type, status, input, credits_charged, completed_at)
      SELECT job_id, '${accountId}', 'fingerprint', 'completed', '{"url":"https://example.com/v"}', 0, now() FROM lib;
    INSERT INTO fingerprints (job_id, account_id, duration, video, audio) SELECT job_id, '${accountId}', ${ENTRY_SECONDS}, NULL, NULL FROM lib;
    INSERT INTO fingerprint_frames (job_id, account_id, second, hash, b0, b1, b2, b3)
      SELECT job_id, '${accountId}', s, h, (h >> 48) & 65535, (h >> 32) & 65535, (h >> 16) & 65535, h & 65535
      FROM (SELECT job_id, s, (floor(random() * 4294967296)::bigint << 32) | floor(random() * 4294967296)::bigint AS h
            FROM lib, generate_series(0, ${ENTRY_SECONDS - 1}) AS s) x;
    UPDATE fingerprints f SET video = jsonb_build_object('algorithm', 'phash-dct-64', 'version', 1, 'interval', 1,
      'hashes', (SELECT jsonb_agg(lpad(to_hex(hash), 16, '0') ORDER BY second) FROM fingerprint_frames WHERE job_id = f.job_id))
      WHERE account_id = '${accountId}';
  `);
  // What autovacuum does after inserts (it sets the visibility map that index-only scans need).
  psql(DB, 'VACUUM ANALYZE fingerprint_frames');
}

/** One minute of an entry of the library, with a bit flipped in every hash: what a re-encoded excerpt looks like. */
function queryFrom(accountId) {
  const row = psql(DB, `SELECT job_id || ' ' || (video->'hashes')::text FROM fingerprints WHERE account_id = '${accountId}' ORDER BY random() LIMIT 1`);
  const [jobId, ...rest] = row.split(' ');
  const hashes = JSON.parse(rest.join(' ')).slice(120, 180).map((h) => (BigInt(`0x${h}`) ^ 1n).toString(16).padStart(16, '0'));
  return { jobId, fingerprint: { duration: 60, video: { algorithm: 'phash-dct-64', version: 1, interval: 1, hashes }, audio: null } };
}

async function searchLatency(base, key, accountId) {
  const times = [];
  let found = 0;
  for (let i = 0; i < SEARCHES; i++) {
    const q = queryFrom(accountId);
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/fingerprint/search`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ fingerprint: q.fingerprint, limit: 5 }),
    });
    const body = await res.json();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`search: ${res.status} ${JSON.stringify(body)}`);
    if (body.matches[0]?.job_id === q.jobId && body.matches[0].offset_seconds === -120) found++;
  }
  times.sort((a, b) => a - b);
  // The same candidates without the band index: every stored hash XORed with every query hash.
  const q = queryFrom(accountId);
  const values = q.fingerprint.video.hashes.map((h) => BigInt.asIntN(64, BigInt(`0x${h}`)).toString()).join(',');
  const scan0 = performance.now();
  psql(DB, `SELECT count(*) FROM fingerprint_frames f, unnest(ARRAY[${values}]::bigint[]) AS q(hash)
            WHERE f.account_id = '${accountId}' AND bit_count((f.hash # q.hash)::bit(64)) <= 10`);
  const scanMs = performance.now() - scan0;
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), found, scanMs };
}

async function main() {
  log(`machine: ${JSON.stringify(machine())}`);
  ensureDatabase(DB);
  const [account] = await ensureAccounts('fingerprint', 1, { db: DB });
  const [librarian] = await ensureAccounts('fingerprint-library', 1, { db: DB });
  const file = ensureTenMinutes720p();
  const media = await startMediaServer(path.dirname(file));
  const url = `${media.base}/${path.basename(file)}`;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  rmSync(storageDir, { recursive: true, force: true });
  const server = spawnTracked(process.execPath, [path.join(ROOT, 'dist', 'src', 'main.js'), 'all'], {
    cwd: ROOT,
    env: serverEnv({ PORT: String(port), ROLE: 'all', REDIS_PREFIX: prefix, STORAGE_DIR: storageDir }, DB),
  });
  await waitHttp(`${base}/health`, server);

  // 1. speed: bare decode (the same filters) vs. the job
  let bare = NaN;
  let jobMs = NaN;
  if (!SEARCH_ONLY) {
    await waitQuiet('fingerprint speed');
    const load = loadavg();
    bare = await timedFfmpeg(['-i', url, '-map', '0:v:0', '-vf', 'fps=1:round=down,crop=iw*0.8:ih*0.8,scale=32:32:flags=area,format=gray', '-f', 'null', '-', '-map', '0:a:0', '-ac', '1', '-f', 'chromaprint', '-fp_format', 'raw', '-y', path.join(TMP, 'fp.raw')]);
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/fingerprint`, {
      method: 'POST', headers: { authorization: `Bearer ${account.api_key}`, 'content-type': 'application/json' }, body: JSON.stringify({ url }),
    });
    const accepted = await res.json();
    if (res.status !== 202) throw new Error(`fingerprint: ${res.status} ${JSON.stringify(accepted)}`);
    const end = await finalJobEvent(base, accepted.job_id, account.api_key);
    if (end.status !== 'completed') throw new Error(`fingerprint ended ${end.status}`);
    jobMs = end.at - t0;
    log(`fingerprint of ${TEN_MINUTES_SECONDS} s: bare decode ${bare.toFixed(0)} ms, job ${jobMs.toFixed(0)} ms (load ${load})`);
  }

  // 2. search latency
  const rows = [];
  for (const minutes of [10_000, 100_000]) {
    fillLibrary(librarian.account_id, minutes);
    await waitQuiet(`search ${minutes}`);
    rows.push({ minutes, ...(await searchLatency(base, librarian.api_key, librarian.account_id)) });
    log(`search in ${minutes} minutes: ${JSON.stringify(rows.at(-1))}`);
  }

  if (!SEARCH_ONLY) console.log(`\nFingerprint of ${path.basename(file)} (${TEN_MINUTES_SECONDS} s 720p): bare ffmpeg decode ${(bare / 1000).toFixed(1)} s ` +
    `(${(TEN_MINUTES_SECONDS / (bare / 1000)).toFixed(1)}× real time); Mediary submit → completed ${(jobMs / 1000).toFixed(1)} s ` +
    `(${(TEN_MINUTES_SECONDS / (jobMs / 1000)).toFixed(1)}× real time, fetch included)\n`);
  console.log(`| library | searches | p50 (ms) | p99 (ms) | found at the right offset | full scan of the same hashes (ms) |`);
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.minutes.toLocaleString('en')} min | ${SEARCHES} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.found}/${SEARCHES} | ${r.scanMs.toFixed(0)} |`);
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

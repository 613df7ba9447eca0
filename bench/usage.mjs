#!/usr/bin/env node
// GET /v1/account/usage on 1,000,000 jobs: the report's own query (usageSql from the build), timed
// from a client, for a typical account (900 jobs over 90 days) and a heavy one (100,000 jobs and
// 10,000 synchronous charges in 30 days), by day, operation and platform; then the same with the
// usage index dropped (inside a transaction that is rolled back), and the plan it uses.
// Usage: node bench/usage.mjs [runs=30]
// Needs a build in dist/ and PostgreSQL on 127.0.0.1. BENCH_USAGE_DB names the database
// (default mediary_bench_usage); the jobs are generated in SQL once and kept for later runs.
import path from 'node:path';
import pg from 'pg';
import { ROOT, ensureDatabase, dbUrl, loadavg, log, machine, median, percentile, psql } from './lib.mjs';

const RUNS = Number(process.argv[2] ?? 30);
const DB = process.env.BENCH_USAGE_DB ?? 'mediary_bench_usage';
const TOTAL_JOBS = 1_000_000;
const HEAVY_JOBS = 100_000;
const ACCOUNTS = 1000;
const { usageSql, USAGE_GROUPS } = await import(path.join(ROOT, 'dist', 'src', 'core', 'accounts', 'usage.js'));

ensureDatabase(DB);
if (Number(psql(DB, 'SELECT count(*) FROM jobs')) < TOTAL_JOBS) {
  log(`generating ${TOTAL_JOBS.toLocaleString()} jobs in ${DB}`);
  const t0 = performance.now();
  psql(DB, `
    BEGIN;
    INSERT INTO accounts (id, name, balance)
      SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'usage-' || n, 1000000 FROM generate_series(0, ${ACCOUNTS - 1}) n
      ON CONFLICT DO NOTHING;
    -- Account 0 is the heavy one: ${HEAVY_JOBS} jobs in the last 30 days; the rest share the others over 90 days.
    INSERT INTO jobs (id, account_id, type, status, platform, input, credits_charged, credits_refunded, created_at)
    SELECT gen_random_uuid(),
           ('00000000-0000-4000-8000-' || lpad((CASE WHEN n <= ${HEAVY_JOBS} THEN 0 ELSE 1 + n % ${ACCOUNTS - 1} END)::text, 12, '0'))::uuid,
           (ARRAY['download','transcribe','translate','preview','fingerprint'])[1 + n % 5],
           CASE WHEN n % 10 = 0 THEN 'failed' ELSE 'completed' END,
           (ARRAY['youtube','vimeo','tiktok','instagram','x', NULL])[1 + n % 6],
           '{}'::jsonb,
           1 + n % 4,
           CASE WHEN n % 10 = 0 THEN 1 + n % 4 ELSE 0 END,
           now() - (CASE WHEN n <= ${HEAVY_JOBS} THEN 30 ELSE 90 END) * interval '1 day' * random()
    FROM generate_series(1, ${TOTAL_JOBS}) n;
    -- Synchronous charges (/v1/info) of the heavy account.
    INSERT INTO ledger_entries (account_id, amount, kind, reason, balance_after, created_at)
    SELECT '00000000-0000-4000-8000-000000000000', -1, 'charge', 'info', 1000000, now() - interval '30 days' * random()
    FROM generate_series(1, 10000);
    COMMIT;
  `);
  log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s; VACUUM ANALYZE`);
  psql(DB, 'VACUUM ANALYZE jobs');
  psql(DB, 'VACUUM ANALYZE ledger_entries');
}

const client = new pg.Client({ connectionString: dbUrl(DB) });
await client.connect();
const typical = '00000000-0000-4000-8000-000000000007';
const heavy = '00000000-0000-4000-8000-000000000000';
const to = new Date();
const cases = [
  ['typical, 90 days', typical, new Date(to.getTime() - 90 * 86_400_000)],
  ['typical, 30 days', typical, new Date(to.getTime() - 30 * 86_400_000)],
  ['heavy, 30 days', heavy, new Date(to.getTime() - 30 * 86_400_000)],
];

async function measure(label) {
  const lines = [];
  for (const [name, account, from] of cases) {
    for (const group of USAGE_GROUPS) {
      const sql = usageSql(group);
      await client.query(sql, [account, from, to]); // warm
      const ms = [];
      let rows = 0;
      let jobs = 0;
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const res = await client.query(sql, [account, from, to]);
        ms.push(performance.now() - t0);
        rows = res.rows.length;
        jobs = res.rows.reduce((s, r) => s + Number(r.jobs), 0);
      }
      const sorted = [...ms].sort((a, b) => a - b);
      lines.push(`| ${label} | ${name} (${jobs.toLocaleString()} jobs) | ${group} | ${rows} | ${median(ms).toFixed(2)} | ${percentile(sorted, 95).toFixed(2)} |`);
    }
  }
  return lines;
}

const jobsCount = Number(psql(DB, 'SELECT count(*) FROM jobs'));
const m = machine();
console.log(`# usage report on ${jobsCount.toLocaleString()} jobs — ${m.nproc} × ${m.cpu}, Postgres ${m.postgres}, load ${loadavg()}, ${RUNS} runs each\n`);
console.log('| index | account | group_by | rows | median ms | p95 ms |');
console.log('|---|---|---|---|---|---|');
for (const line of await measure('jobs_account_usage')) console.log(line);
const plan = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${usageSql('operation')}`, [heavy, cases[2][2], to]);
await client.query('BEGIN');
await client.query('DROP INDEX jobs_account_usage');
for (const line of await measure('without it')) console.log(line);
await client.query('ROLLBACK');
console.log('\nPlan (heavy account, by operation):\n```');
for (const r of plan.rows) console.log(r['QUERY PLAN']);
console.log('```');
await client.end();

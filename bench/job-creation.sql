-- pgbench script: the statement LedgerRepository.createChargedJob runs for a job without an
-- Idempotency-Key (a download priced 1 credit), one autocommit statement per transaction,
-- against a random account among the benchmark's 100. The account ids come in as a uuid[]
-- literal through `-D accounts=id1,id2,...` (bench/api.mjs passes them); the subscript is
-- constant-folded at plan time, so the UPDATE is the same primary-key lookup as `id = $1`.
--   pgbench -n -c 50 -j 2 -T 15 -D accounts=id1,...,id100 -f bench/job-creation.sql mediary_bench
\set i random(1, 100)
WITH debit AS (
  UPDATE accounts SET balance = balance - 1 WHERE id = ('{:accounts}'::uuid[])[:i] AND balance >= 1 RETURNING balance
), job AS (
  INSERT INTO jobs (id, account_id, type, platform, input, credits_charged)
  SELECT gen_random_uuid(), ('{:accounts}'::uuid[])[:i], 'download', NULL, '{"url":"http://127.0.0.1:9/x.mp4"}'::jsonb, 1 FROM debit RETURNING id
), entry AS (
  INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
  SELECT ('{:accounts}'::uuid[])[:i], -1::bigint, 'charge', (SELECT id FROM job), 'download', balance FROM debit WHERE 1 > 0
)
SELECT balance FROM debit;

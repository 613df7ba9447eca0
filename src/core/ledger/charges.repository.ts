import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { firstRow, Rollback, transaction, type Queryable } from '../../platform/database/sql.js';
import { balanceOf, CreditsRepository } from './credits.repository.js';
import { IdempotencyRepository, type Replay } from './idempotency.repository.js';

export type ChargeOutcome =
  | { kind: 'charged'; balance: number }
  | { kind: 'insufficient'; available: number }
  /** A refund or dispute took back credits already spent: no paid work until they are paid. */
  | { kind: 'owed'; owed: number }
  | Replay;

export interface NewJob {
  id: string;
  accountId: string;
  type: string;
  input: unknown;
  price: number;
  /** What a cancel while running keeps, when less than the price (per-minute work); all of it otherwise. */
  committed?: number;
}

export interface NewBatch {
  id: string;
  accountId: string;
  type: string;
  webhookUrl: string | null;
  jobs: Array<{ id: string; input: unknown; price: number; committed?: number }>;
}

const JOB_SQL = `
  WITH debit AS (
    UPDATE accounts SET balance = balance - $3 WHERE id = $1 AND balance >= $3 AND (credits_owed = 0 OR $3 = 0) RETURNING balance
  ), job AS (
    INSERT INTO jobs (id, account_id, type, input, credits_charged, credits_committed)
    SELECT $2, $1, $4, $5::jsonb, $3, $6::int FROM debit RETURNING id
  ), entry AS (
    INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
    SELECT $1, -$3::bigint, 'charge', (SELECT id FROM job), $4, balance FROM debit WHERE $3 > 0
  )
  SELECT balance FROM debit`;

const BATCH_SQL = `
  WITH debit AS (
    UPDATE accounts SET balance = balance - $3 WHERE id = $1 AND balance >= $3 AND (credits_owed = 0 OR $3 = 0) RETURNING balance
  ), batch AS (
    INSERT INTO batches (id, account_id, operation, total, webhook_url)
    SELECT $2, $1, $4, $5, $6 FROM debit RETURNING id
  ), items AS (
    SELECT * FROM unnest($7::uuid[], $8::jsonb[], $9::int[], $10::int[]) WITH ORDINALITY AS t(id, input, price, committed, n)
  ), job AS (
    INSERT INTO jobs (id, account_id, type, input, credits_charged, credits_committed, batch_id, batch_position)
    SELECT i.id, $1, $4, i.input, i.price, i.committed, (SELECT id FROM batch), i.n - 1 FROM items i, debit RETURNING id
  ), entry AS (
    INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
    SELECT $1, -i.price::bigint, 'charge', i.id, $4, d.balance + $3 - sum(i.price) OVER (ORDER BY i.n)
    FROM items i, debit d WHERE i.price > 0
  )
  SELECT balance FROM debit`;

const REQUEST_SQL = `
  WITH debit AS (
    UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2 AND (credits_owed = 0 OR $2 = 0) RETURNING balance
  ), entry AS (
    INSERT INTO ledger_entries (account_id, amount, kind, reason, balance_after)
    SELECT $1, -$2::bigint, 'charge', $3, balance FROM debit WHERE $2 > 0
  )
  SELECT balance FROM debit`;

const TOP_UP_SQL = `
  WITH job AS (
    SELECT id, account_id, credits_charged, $2::int - credits_charged AS more FROM jobs WHERE id = $1 AND status = 'processing' FOR UPDATE
  ), debit AS (
    UPDATE accounts a SET balance = a.balance - job.more FROM job
    WHERE a.id = job.account_id AND job.more > 0 AND a.balance >= job.more AND a.credits_owed = 0 RETURNING a.id, a.balance, job.more
  ), raised AS (
    UPDATE jobs j SET credits_charged = j.credits_charged + debit.more, updated_at = now() FROM debit WHERE j.id = $1 RETURNING j.credits_charged
  ), entry AS (
    INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
    SELECT debit.id, -debit.more::bigint, 'charge', $1, $3, debit.balance FROM debit
  )
  SELECT COALESCE((SELECT credits_charged FROM raised), job.credits_charged) AS charged FROM job`;

/** The committed column: null when the whole price is committed once the job starts. */
const committedOf = (j: { price: number; committed?: number }): number | null => (j.committed === undefined || j.committed >= j.price ? null : j.committed);

/**
 * Every charge: the debit, what it pays for (a job, a batch, a synchronous answer), its ledger
 * entries and, with an Idempotency-Key, the stored response, all in one transaction. The
 * conditional UPDATE waits on the balance row lock and re-checks, so concurrent charges can
 * never overdraw an account.
 */
@Injectable()
export class ChargesRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly credits: CreditsRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  /** Charges `price` and creates the job row; without a key it is a single statement. */
  chargeJob(job: NewJob, idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    const params = [job.accountId, job.id, job.price, job.type, JSON.stringify(job.input), committedOf(job)];
    return this.charge(job.accountId, JOB_SQL, params, idem, response);
  }

  /** A whole batch at once: its jobs and one charge entry per job (so each refund names its job). */
  chargeBatch(batch: NewBatch, idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    const total = batch.jobs.reduce((sum, j) => sum + j.price, 0);
    const params = [
      batch.accountId, batch.id, total, batch.type, batch.jobs.length, batch.webhookUrl,
      batch.jobs.map((j) => j.id), batch.jobs.map((j) => JSON.stringify(j.input)), batch.jobs.map((j) => j.price), batch.jobs.map(committedOf),
    ];
    return this.charge(batch.accountId, BATCH_SQL, params, idem, response);
  }

  /**
   * Raises a running job's charge to `total` when the account can pay the difference (one debit
   * and one ledger entry naming the job, in one statement); all or nothing. Returns what the job
   * is charged afterwards, or null when it is no longer running (canceled meanwhile).
   */
  topUp(jobId: string, total: number, reason: string): Promise<number | null> {
    return firstRow(this.db, TOP_UP_SQL, [jobId, total, reason], (r) => r.charged as number);
  }

  /** Marks `credits` of a running per-minute job's charge as spent, whatever happens next (never above the charge). */
  async commit(jobId: string, credits: number): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET credits_committed = LEAST(credits_charged, GREATEST(credits_committed, $2))
       WHERE id = $1 AND status = 'processing' AND credits_committed IS NOT NULL`,
      [jobId, credits],
    );
  }

  /** A synchronous request (e.g. /v1/info) that creates no job. */
  chargeRequest(accountId: string, price: number, reason: string, idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    return this.charge(accountId, REQUEST_SQL, [accountId, price, reason], idem, response);
  }

  private async charge(accountId: string, sql: string, params: unknown[], idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    if (!idem) {
      const balance = await firstRow(this.db, sql, params, balanceOf);
      return balance === null ? this.refusal(accountId) : { kind: 'charged', balance };
    }
    // Every read below uses the transaction's own connection: a burst of requests sharing a key
    // must never hold one pooled connection while waiting for another.
    return transaction<ChargeOutcome>(this.db, async (q) => {
      // Claimed first: a concurrent request with the same key waits here until this one ends.
      const earlier = await this.idempotency.claim(accountId, idem, response, q);
      if (earlier) return earlier;
      const balance = await firstRow(q, sql, params, balanceOf);
      if (balance !== null) return { kind: 'charged', balance };
      return new Rollback(await this.refusal(accountId, q));
    });
  }

  /** Why a debit found no row to update: credits owed, or too few. */
  private async refusal(accountId: string, q: Queryable = this.db): Promise<ChargeOutcome> {
    const owed = await this.credits.owed(accountId, q);
    if (owed > 0) return { kind: 'owed', owed };
    return { kind: 'insufficient', available: await this.credits.balance(accountId, q) };
  }
}

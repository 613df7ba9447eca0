import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { firstRow, Rollback, transaction, type Queryable, type Row } from '../../platform/database/sql.js';
import { toSafeInteger } from '../../platform/database/numbers.js';
import { requestKeyId } from '../../platform/http/request-context.js';
import { CURRENT_MONTH, jobMonth, spendAllowed, spendCap } from './key-spend.js';
import { balanceOf, CreditsRepository } from './credits.repository.js';
import { IdempotencyRepository, type Replay } from './idempotency.repository.js';

export type ChargeOutcome =
  | { kind: 'charged'; balance: number }
  | { kind: 'insufficient'; available: number }
  /** A refund or dispute took back credits already spent: no paid work until they are paid. */
  | { kind: 'owed'; owed: number }
  /** The paying API key's monthly credit limit would be exceeded. */
  | { kind: 'key_limit'; limit: number; spent: number }
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

// Every charge statement counts the spend against the paying API key's monthly cap first (`cap`,
// see key-spend.ts), debits only within it, and answers one row: the balance after the debit
// (null when refused) and whether the key's cap allowed it.
const JOB_SQL = `
  WITH ${spendCap('$7', '$3::int', CURRENT_MONTH)}, debit AS (
    UPDATE accounts SET balance = balance - $3 WHERE id = $1 AND balance >= $3 AND (credits_owed = 0 OR $3 = 0) AND ${spendAllowed('$7')} RETURNING balance
  ), job AS (
    INSERT INTO jobs (id, account_id, type, input, credits_charged, credits_committed, api_key_id)
    SELECT $2, $1, $4, $5::jsonb, $3, $6::int, $7::uuid FROM debit RETURNING id
  ), entry AS (
    INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
    SELECT $1, -$3::bigint, 'charge', (SELECT id FROM job), $4, balance FROM debit WHERE $3 > 0
  )
  SELECT (SELECT balance FROM debit) AS balance, ${spendAllowed('$7')} AS within_limit`;

const BATCH_SQL = `
  WITH ${spendCap('$11', '$3::int', CURRENT_MONTH)}, debit AS (
    UPDATE accounts SET balance = balance - $3 WHERE id = $1 AND balance >= $3 AND (credits_owed = 0 OR $3 = 0) AND ${spendAllowed('$11')} RETURNING balance
  ), batch AS (
    INSERT INTO batches (id, account_id, operation, total, webhook_url)
    SELECT $2, $1, $4, $5, $6 FROM debit RETURNING id
  ), items AS (
    SELECT * FROM unnest($7::uuid[], $8::jsonb[], $9::int[], $10::int[]) WITH ORDINALITY AS t(id, input, price, committed, n)
  ), job AS (
    INSERT INTO jobs (id, account_id, type, input, credits_charged, credits_committed, batch_id, batch_position, api_key_id)
    SELECT i.id, $1, $4, i.input, i.price, i.committed, (SELECT id FROM batch), i.n - 1, $11::uuid FROM items i, debit RETURNING id
  ), entry AS (
    INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
    SELECT $1, -i.price::bigint, 'charge', i.id, $4, d.balance + $3 - sum(i.price) OVER (ORDER BY i.n)
    FROM items i, debit d WHERE i.price > 0
  )
  SELECT (SELECT balance FROM debit) AS balance, ${spendAllowed('$11')} AS within_limit`;

const REQUEST_SQL = `
  WITH ${spendCap('$4', '$2::int', CURRENT_MONTH)}, debit AS (
    UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2 AND (credits_owed = 0 OR $2 = 0) AND ${spendAllowed('$4')} RETURNING balance
  ), entry AS (
    INSERT INTO ledger_entries (account_id, amount, kind, reason, balance_after)
    SELECT $1, -$2::bigint, 'charge', $3, balance FROM debit WHERE $2 > 0
  )
  SELECT (SELECT balance FROM debit) AS balance, ${spendAllowed('$4')} AS within_limit`;

// A top-up counts against the cap of the key that paid for the job, in the month the job was charged.
const TOP_UP_SQL = `
  WITH job AS (
    SELECT id, account_id, api_key_id, created_at, credits_charged, $2::int - credits_charged AS more FROM jobs WHERE id = $1 AND status = 'processing' FOR UPDATE
  ), ${spendCap('(SELECT api_key_id FROM job)', '(SELECT greatest(more, 0) FROM job)', jobMonth('(SELECT created_at FROM job)'))}, debit AS (
    UPDATE accounts a SET balance = a.balance - job.more FROM job
    WHERE a.id = job.account_id AND job.more > 0 AND a.balance >= job.more AND a.credits_owed = 0 AND ${spendAllowed('job.api_key_id')}
    RETURNING a.id, a.balance, job.more
  ), raised AS (
    UPDATE jobs j SET credits_charged = j.credits_charged + debit.more, updated_at = now() FROM debit WHERE j.id = $1 RETURNING j.credits_charged
  ), entry AS (
    INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
    SELECT debit.id, -debit.more::bigint, 'charge', $1, $3, debit.balance FROM debit
  )
  SELECT COALESCE((SELECT credits_charged FROM raised), job.credits_charged) AS charged, EXISTS (SELECT 1 FROM raised) AS raised FROM job`;

interface Debit {
  /** The balance after the debit; null when it was refused. */
  balance: number | null;
  /** False when the paying key's monthly cap refused it. */
  withinLimit: boolean;
}

const debitOf = (r: Row): Debit => ({ balance: r.balance === null ? null : balanceOf(r), withinLimit: r.within_limit === true });

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

  /** Charges `price` and creates the job row, paid by the request's API key. */
  chargeJob(job: NewJob, idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    const key = requestKeyId();
    const params = [job.accountId, job.id, job.price, job.type, JSON.stringify(job.input), committedOf(job), key];
    return this.charge(job.accountId, key, JOB_SQL, params, idem, response);
  }

  /** A whole batch at once: its jobs and one charge entry per job (so each refund names its job). */
  chargeBatch(batch: NewBatch, idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    const key = requestKeyId();
    const total = batch.jobs.reduce((sum, j) => sum + j.price, 0);
    const params = [
      batch.accountId, batch.id, total, batch.type, batch.jobs.length, batch.webhookUrl,
      batch.jobs.map((j) => j.id), batch.jobs.map((j) => JSON.stringify(j.input)), batch.jobs.map((j) => j.price), batch.jobs.map(committedOf), key,
    ];
    return this.charge(batch.accountId, key, BATCH_SQL, params, idem, response);
  }

  /**
   * Raises a running job's charge to `total` when the account can pay the difference and the
   * paying key's cap allows it (one debit and one ledger entry naming the job); all or nothing.
   * Returns what the job is charged afterwards, or null when it is no longer running (canceled
   * meanwhile).
   */
  topUp(jobId: string, total: number, reason: string): Promise<number | null> {
    return transaction(this.db, async (q) => {
      const after = await firstRow(q, TOP_UP_SQL, [jobId, total, reason], (r) => ({ charged: r.charged as number, raised: r.raised === true }));
      if (!after) return null;
      // Not raised: whatever the cap counted is undone with the rest.
      return after.raised ? after.charged : new Rollback(after.charged);
    });
  }

  /** Marks `credits` of a running per-minute job's charge as spent, whatever happens next (never above the charge). */
  async commit(jobId: string, credits: number): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET credits_committed = LEAST(credits_charged, GREATEST(credits_committed, $2))
       WHERE id = $1 AND status = 'processing' AND credits_committed IS NOT NULL`,
      [jobId, credits],
    );
  }

  /** A synchronous request (e.g. /v1/info) that creates no job, paid by the request's API key. */
  chargeRequest(accountId: string, price: number, reason: string, idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    const key = requestKeyId();
    return this.charge(accountId, key, REQUEST_SQL, [accountId, price, reason, key], idem, response);
  }

  private async charge(
    accountId: string,
    keyId: string | null,
    sql: string,
    params: unknown[],
    idem: IdempotencyInput | null,
    response: StoredResponse,
  ): Promise<ChargeOutcome> {
    if (!idem && !keyId) {
      const debit = (await firstRow(this.db, sql, params, debitOf))!;
      return debit.balance === null ? this.refusal(accountId, keyId, debit) : { kind: 'charged', balance: debit.balance };
    }
    // With a key, a refused debit must roll back what the cap counted; with an Idempotency-Key,
    // the claim must commit with the charge. Every read below uses the transaction's own
    // connection: a burst of requests sharing a key must never hold one pooled connection while
    // waiting for another.
    return transaction<ChargeOutcome>(this.db, async (q) => {
      // Claimed first: a concurrent request with the same key waits here until this one ends.
      const earlier = idem ? await this.idempotency.claim(accountId, idem, response, q) : null;
      if (earlier) return earlier;
      const debit = (await firstRow(q, sql, params, debitOf))!;
      if (debit.balance !== null) return { kind: 'charged', balance: debit.balance };
      return new Rollback(await this.refusal(accountId, keyId, debit, q));
    });
  }

  /** Why a debit was refused: the key's cap, credits owed, or too few. */
  private async refusal(accountId: string, keyId: string | null, debit: Debit, q: Queryable = this.db): Promise<ChargeOutcome> {
    if (!debit.withinLimit && keyId) {
      const cap = await firstRow(
        q,
        `SELECT k.monthly_credit_limit AS limit, coalesce(s.credits, 0)::text AS spent
         FROM api_keys k LEFT JOIN api_key_spend s ON s.key_id = k.id AND s.month = ${CURRENT_MONTH} WHERE k.id = $1`,
        [keyId],
        (r) => ({ limit: r.limit as number, spent: toSafeInteger(r.spent as string) }),
      );
      if (cap) return { kind: 'key_limit', ...cap };
    }
    const owed = await this.credits.owed(accountId, q);
    if (owed > 0) return { kind: 'owed', owed };
    return { kind: 'insufficient', available: await this.credits.balance(accountId, q) };
  }
}

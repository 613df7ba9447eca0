import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import type { JobError, JobOutput } from '../jobs/job.entity.js';
import type { JobStatus, JobType } from '../jobs/job-types.js';
import { toSafeInteger } from '../../platform/database/numbers.js';

export interface IdempotencyInput {
  key: string;
  requestHash: string;
}

export interface StoredResponse {
  statusCode: number;
  body: Record<string, unknown>;
}

export type ChargeOutcome =
  | { kind: 'charged'; balance: number }
  | { kind: 'insufficient'; available: number }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'key_reused' };

export interface NewJob {
  id: string;
  accountId: string;
  type: JobType;
  platform: string | null;
  input: Record<string, unknown>;
  price: number;
}

export interface NewBatch {
  id: string;
  accountId: string;
  type: JobType;
  webhookUrl: string | null;
  jobs: Array<{ id: string; input: Record<string, unknown>; price: number }>;
}

type Row = Record<string, unknown>;

interface LockedJob {
  account_id: string;
  status: JobStatus;
  credits_charged: number;
  credits_refunded: number;
}

/**
 * Every write that moves credits. Each is one database transaction that changes the cached
 * balance and appends the ledger entry together; the balance CHECK makes overdraft impossible
 * even under concurrency (the conditional UPDATE waits on the row lock and re-checks).
 */
@Injectable()
export class LedgerRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Credits an account (an operator grant or a purchase); `reference` makes it happen once. */
  async credit(
    accountId: string,
    amount: number,
    kind: 'grant' | 'purchase',
    reason: string | null,
    reference: string | null = null,
  ): Promise<{ applied: boolean; balance: number }> {
    try {
      return await this.creditOnce(accountId, amount, kind, reason, reference);
    } catch (err) {
      // Two deliveries of one reference raced: the unique index let exactly one of them in.
      if (reference && (err as { driverError?: { code?: string } }).driverError?.code === '23505') {
        return { applied: false, balance: await this.balanceIn(this.db, accountId) };
      }
      throw err;
    }
  }

  private creditOnce(
    accountId: string,
    amount: number,
    kind: 'grant' | 'purchase',
    reason: string | null,
    reference: string | null,
  ): Promise<{ applied: boolean; balance: number }> {
    return this.transaction(async (q) => {
      if (reference) {
        const seen = (await q.query('SELECT 1 FROM ledger_entries WHERE reference = $1', [reference])) as Row[];
        if (seen.length > 0) return { applied: false, balance: await this.balanceIn(q, accountId) };
      }
      const rows = (await q.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance', [
        accountId,
        amount,
      ])) as [Row[], number];
      const balance = toSafeInteger(rows[0][0]?.balance as string);
      await q.query(
        `INSERT INTO ledger_entries (account_id, amount, kind, reference, reason, balance_after)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [accountId, amount, kind, reference, reason, balance],
      );
      return { applied: true, balance };
    });
  }

  /**
   * Charges `price` and creates the job row in one transaction, together with the
   * idempotency record when the request carried a key. Without a key it is a single statement.
   */
  async createChargedJob(job: NewJob, idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    const params = [job.accountId, job.id, job.price, job.type, job.platform, JSON.stringify(job.input), job.type];
    const sql = `
      WITH debit AS (
        UPDATE accounts SET balance = balance - $3 WHERE id = $1 AND balance >= $3 RETURNING balance
      ), job AS (
        INSERT INTO jobs (id, account_id, type, platform, input, credits_charged)
        SELECT $2, $1, $4, $5, $6::jsonb, $3 FROM debit RETURNING id
      ), entry AS (
        INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
        SELECT $1, -$3::bigint, 'charge', (SELECT id FROM job), $7, balance FROM debit WHERE $3 > 0
      )
      SELECT balance FROM debit`;
    return this.chargeWith(job.accountId, job.price, sql, params, idem, response);
  }

  /**
   * Charges a whole batch at once: the batch, its jobs, and one charge entry per job (so each
   * refund names its job) in a single statement — all of it or, when credits are short, none.
   */
  async createChargedBatch(batch: NewBatch, idem: IdempotencyInput | null, response: StoredResponse): Promise<ChargeOutcome> {
    const total = batch.jobs.reduce((sum, j) => sum + j.price, 0);
    const sql = `
      WITH debit AS (
        UPDATE accounts SET balance = balance - $3 WHERE id = $1 AND balance >= $3 RETURNING balance
      ), batch AS (
        INSERT INTO batches (id, account_id, operation, total, webhook_url)
        SELECT $2, $1, $4, $5, $6 FROM debit RETURNING id
      ), items AS (
        SELECT * FROM unnest($7::uuid[], $8::jsonb[], $9::int[]) WITH ORDINALITY AS t(id, input, price, n)
      ), job AS (
        INSERT INTO jobs (id, account_id, type, input, credits_charged, batch_id, batch_position)
        SELECT i.id, $1, $4, i.input, i.price, (SELECT id FROM batch), i.n - 1 FROM items i, debit RETURNING id
      ), entry AS (
        INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
        SELECT $1, -i.price::bigint, 'charge', i.id, $4, d.balance + $3 - sum(i.price) OVER (ORDER BY i.n)
        FROM items i, debit d WHERE i.price > 0
      )
      SELECT balance FROM debit`;
    const params = [
      batch.accountId, batch.id, total, batch.type, batch.jobs.length, batch.webhookUrl,
      batch.jobs.map((j) => j.id), batch.jobs.map((j) => JSON.stringify(j.input)), batch.jobs.map((j) => j.price),
    ];
    return this.chargeWith(batch.accountId, total, sql, params, idem, response);
  }

  /** Charges a synchronous request (e.g. /v1/info) that creates no job. */
  async chargeRequest(
    accountId: string,
    price: number,
    reason: string,
    idem: IdempotencyInput | null,
    response: StoredResponse,
  ): Promise<ChargeOutcome> {
    const sql = `
      WITH debit AS (
        UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2 RETURNING balance
      ), entry AS (
        INSERT INTO ledger_entries (account_id, amount, kind, reason, balance_after)
        SELECT $1, -$2::bigint, 'charge', $3, balance FROM debit WHERE $2 > 0
      )
      SELECT balance FROM debit`;
    return this.chargeWith(accountId, price, sql, [accountId, price, reason], idem, response);
  }

  /** Stores the response of a free request under its idempotency key (first writer wins). */
  async rememberResponse(accountId: string, idem: IdempotencyInput, response: StoredResponse): Promise<ChargeOutcome | null> {
    const inserted = (await this.db.query(
      `INSERT INTO idempotency_keys (account_id, key, request_hash, status_code, response)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1`,
      [accountId, idem.key, idem.requestHash, response.statusCode, JSON.stringify(response.body)],
    )) as Row[];
    return inserted.length > 0 ? null : this.findReplay(accountId, idem);
  }

  /** What a repeated idempotent request gets: the first response, or `key_reused` for another body. */
  async findReplay(accountId: string, idem: IdempotencyInput): Promise<ChargeOutcome | null> {
    const rows = (await this.db.query(
      'SELECT request_hash, status_code, response FROM idempotency_keys WHERE account_id = $1 AND key = $2',
      [accountId, idem.key],
    )) as Row[];
    const row = rows[0];
    if (!row) return null;
    if (row.request_hash !== idem.requestHash) return { kind: 'key_reused' };
    return { kind: 'replay', response: { statusCode: row.status_code as number, body: row.response as Record<string, unknown> } };
  }

  /**
   * Ends a job that did not complete and refunds what it was charged, once. Returns false when
   * the job had already ended (the refund index would refuse a second refund anyway).
   * `refund: 'always'` for failures, `'if_unstarted'` for cancellations.
   */
  async endUnsuccessfully(
    jobId: string,
    status: Extract<JobStatus, 'failed' | 'canceled'>,
    error: JobError | null,
    refund: 'always' | 'if_unstarted',
  ): Promise<boolean> {
    return this.transaction(async (q) => {
      const job = await this.lockJob(q, jobId);
      if (!job || !['pending', 'processing'].includes(job.status)) return false;
      const refundable = job.credits_charged - job.credits_refunded;
      const amount = refund === 'always' || job.status === 'pending' ? refundable : 0;
      await q.query(
        `UPDATE jobs SET status = $2, error = $3, credits_refunded = credits_refunded + $4,
                completed_at = now(), updated_at = now()
         WHERE id = $1`,
        [jobId, status, error ? JSON.stringify(error) : null, amount],
      );
      const reason = status === 'failed' ? `job failed: ${error?.code ?? 'unknown'}` : 'job canceled';
      await this.refundIn(q, job.account_id, jobId, amount, reason);
      return true;
    });
  }

  /**
   * processing → completed, refunding `refund` credits of what was reserved (a job priced by
   * what it turned out to need, e.g. minutes of speech), in one transaction. False when the job
   * was canceled meanwhile.
   */
  async completeJob(jobId: string, result: Record<string, unknown>, outputs: JobOutput[], expiresAt: Date, refund: number): Promise<boolean> {
    return this.transaction(async (q) => {
      const job = await this.lockJob(q, jobId);
      if (!job || job.status !== 'processing') return false;
      const amount = Math.max(0, Math.min(refund, job.credits_charged - job.credits_refunded));
      await q.query(
        `UPDATE jobs SET status = 'completed', progress = 100, result = $2, outputs = $3, expires_at = $4,
                credits_refunded = credits_refunded + $5, completed_at = now(), updated_at = now()
         WHERE id = $1`,
        [jobId, JSON.stringify(result), JSON.stringify(outputs), expiresAt, amount],
      );
      await this.refundIn(q, job.account_id, jobId, amount, 'unused part of the reservation');
      return true;
    });
  }

  /** Reads a job's money fields with its row locked until the transaction ends. */
  private async lockJob(q: QueryRunner, jobId: string): Promise<LockedJob | undefined> {
    const rows = (await q.query(
      'SELECT account_id, status, credits_charged, credits_refunded FROM jobs WHERE id = $1 FOR UPDATE',
      [jobId],
    )) as LockedJob[];
    return rows[0];
  }

  /** The job's one refund entry, with the balance it leaves, inside the caller's transaction. */
  private async refundIn(q: QueryRunner, accountId: string, jobId: string, amount: number, reason: string): Promise<void> {
    if (amount <= 0) return;
    const [updated] = (await q.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance', [accountId, amount])) as [Row[], number];
    await q.query(
      `INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after) VALUES ($1, $2, 'refund', $3, $4, $5)`,
      [accountId, amount, jobId, reason, updated[0]?.balance],
    );
  }

  private async chargeWith(
    accountId: string,
    price: number,
    sql: string,
    params: unknown[],
    idem: IdempotencyInput | null,
    response: StoredResponse,
  ): Promise<ChargeOutcome> {
    if (!idem) {
      const rows = (await this.db.query(sql, params)) as Row[];
      if (rows[0]) return { kind: 'charged', balance: toSafeInteger(rows[0].balance as string) };
      return { kind: 'insufficient', available: await this.balanceIn(this.db, accountId) };
    }
    const q = this.db.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction();
      // Inserted first: a concurrent request with the same key waits here until this one ends.
      const inserted = (await q.query(
        `INSERT INTO idempotency_keys (account_id, key, request_hash, status_code, response)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1`,
        [accountId, idem.key, idem.requestHash, response.statusCode, JSON.stringify(response.body)],
      )) as Row[];
      if (inserted.length === 0) {
        await q.rollbackTransaction();
        return (await this.findReplay(accountId, idem)) ?? { kind: 'key_reused' };
      }
      const rows = (await q.query(sql, params)) as Row[];
      if (!rows[0]) {
        await q.rollbackTransaction();
        return { kind: 'insufficient', available: await this.balanceIn(this.db, accountId) };
      }
      await q.commitTransaction();
      return { kind: 'charged', balance: toSafeInteger(rows[0].balance as string) };
    } catch (err) {
      if (q.isTransactionActive) await q.rollbackTransaction();
      throw err;
    } finally {
      await q.release();
    }
  }

  balance(accountId: string): Promise<number> {
    return this.balanceIn(this.db, accountId);
  }

  private async balanceIn(q: Pick<DataSource, 'query'> | QueryRunner, accountId: string): Promise<number> {
    const rows = (await q.query('SELECT balance FROM accounts WHERE id = $1', [accountId])) as Row[];
    return rows[0] ? toSafeInteger(rows[0].balance as string) : 0;
  }

  private async transaction<T>(work: (q: QueryRunner) => Promise<T>): Promise<T> {
    const q = this.db.createQueryRunner();
    await q.connect();
    try {
      await q.startTransaction();
      const result = await work(q);
      await q.commitTransaction();
      return result;
    } catch (err) {
      if (q.isTransactionActive) await q.rollbackTransaction();
      throw err;
    } finally {
      await q.release();
    }
  }
}

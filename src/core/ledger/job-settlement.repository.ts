import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { firstRow, transaction, type Queryable, type Row } from '../../platform/database/sql.js';
import { JobEntity, type JobError, type JobOutput } from '../jobs/job.entity.js';
import { balanceOf } from './credits.repository.js';
import { refundSpend } from './key-spend.js';
import { billedCost, refundOnCompletionSql, refundOnEnd, type ChargedJob } from './settlement.js';

interface LockedJob extends ChargedJob {
  account_id: string;
}

/** Work that must commit or roll back with a job's final transition; given the row as settled. */
export type AfterSettled = (tx: QueryRunner, job: JobEntity) => Promise<void>;

export interface CompletedWork {
  result: unknown;
  outputs: JobOutput[];
  cost: number;
}

const lockedJob = (r: Record<string, unknown>): LockedJob => ({
  account_id: r.account_id as string,
  status: r.status as string,
  credits_charged: r.credits_charged as number,
  credits_refunded: r.credits_refunded as number,
  credits_committed: r.credits_committed as number | null,
});

/**
 * A job's final transition and its money, in one transaction with the job row locked: whoever
 * gets there first (worker, sweeper, cancel) settles it; everyone else sees it ended.
 */
@Injectable()
export class JobSettlementRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * processing → completed, refunding what the work did not cost; returns the completed row (null
   * when the job was no longer processing). With nothing `after` it, one statement, so one round
   * trip and its own transaction; otherwise that statement and `after` (given the completed row)
   * in one transaction, which `after`'s failure rolls back. `after` never runs for a job that
   * was no longer processing: the row lock makes the first to settle the only one.
   */
  async complete(jobId: string, done: CompletedWork, expiresAt: Date, after?: AfterSettled): Promise<JobEntity | null> {
    if (!after) return this.completeIn(this.db, jobId, done, expiresAt);
    return transaction(this.db, async (q) => {
      const job = await this.completeIn(q, jobId, done, expiresAt);
      if (job) await after(q, job);
      return job;
    });
  }

  /**
   * The completing statement: the row lock (FOR UPDATE, which sees a concurrent cancel's
   * commit), the update, and — only when something is left to refund — the balance and the
   * job's one refund entry, computed in SQL by `refundOnCompletionSql`.
   */
  private async completeIn(q: Queryable, jobId: string, done: CompletedWork, expiresAt: Date): Promise<JobEntity | null> {
    const row = await firstRow(
      q,
      `WITH locked AS (
         SELECT id, ${refundOnCompletionSql('$5')} AS amount FROM jobs WHERE id = $1 AND status = 'processing' FOR UPDATE
       ), done AS (
         UPDATE jobs j SET status = 'completed', progress = 100, result = $2, outputs = $3, expires_at = $4,
                credits_refunded = j.credits_refunded + locked.amount, completed_at = now(), updated_at = now()
         FROM locked WHERE j.id = locked.id
         RETURNING j.*, locked.amount AS refund_amount
       ), credited AS (
         UPDATE accounts a SET balance = a.balance + done.refund_amount
         FROM done WHERE a.id = done.account_id AND done.refund_amount > 0
         RETURNING a.id, a.balance
       ), refund AS (
         INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after)
         SELECT done.account_id, done.refund_amount, 'refund', done.id, $6, credited.balance
         FROM done JOIN credited ON credited.id = done.account_id
       ), spend AS (${refundSpend('$1', '(SELECT refund_amount FROM done)')})
       SELECT * FROM done`,
      [jobId, JSON.stringify(done.result), JSON.stringify(done.outputs), expiresAt, billedCost(done.cost), 'unused part of the reservation'],
      (r) => r,
    );
    return row ? this.toJob(row) : null;
  }

  /**
   * pending|processing → failed|canceled with the refund the rules give, then `after` in the same
   * transaction. False when the job had already ended.
   */
  end(jobId: string, ending: 'failed' | 'canceled', error: JobError | null, after?: AfterSettled): Promise<boolean> {
    return transaction(this.db, async (q) => {
      const job = await this.lock(q, jobId);
      if (!job || (job.status !== 'pending' && job.status !== 'processing')) return false;
      const amount = refundOnEnd(job, ending);
      await q.query(
        `UPDATE jobs SET status = $2, error = $3, credits_refunded = credits_refunded + $4, completed_at = now(), updated_at = now()
         WHERE id = $1`,
        [jobId, ending, error ? JSON.stringify(error) : null, amount],
      );
      await this.refund(q, job.account_id, jobId, amount, ending === 'failed' ? `job failed: ${error?.code ?? 'unknown'}` : 'job canceled');
      if (after) await after(q, await this.settled(q, jobId));
      return true;
    });
  }

  /** A `jobs` row as TypeORM would load it (column names, types and transformers from the entity). */
  private toJob(row: Row): JobEntity {
    const meta = this.db.getMetadata(JobEntity);
    const job = meta.create() as JobEntity;
    for (const column of meta.columns) column.setEntityValue(job, this.db.driver.prepareHydratedValue(row[column.databaseName], column));
    return job;
  }

  /** The job row as this transaction left it. */
  private async settled(q: QueryRunner, jobId: string): Promise<JobEntity> {
    return this.toJob((await firstRow(q, 'SELECT * FROM jobs WHERE id = $1', [jobId], (r) => r))!);
  }

  private lock(q: QueryRunner, jobId: string): Promise<LockedJob | null> {
    return firstRow(q, 'SELECT account_id, status, credits_charged, credits_refunded, credits_committed FROM jobs WHERE id = $1 FOR UPDATE', [jobId], lockedJob);
  }

  /**
   * The job's one refund entry (a partial unique index allows no second), with the balance it
   * leaves, and the same amount given back to the paying key's monthly spend.
   */
  private async refund(q: QueryRunner, accountId: string, jobId: string, amount: number, reason: string): Promise<void> {
    if (amount <= 0) return;
    const balance = await firstRow(q, 'UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance', [accountId, amount], balanceOf);
    await q.query(
      `INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after) VALUES ($1, $2, 'refund', $3, $4, $5)`,
      [accountId, amount, jobId, reason, balance],
    );
    await q.query(refundSpend('$1', '$2::int'), [jobId, amount]);
  }
}

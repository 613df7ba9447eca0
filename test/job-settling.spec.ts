import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger, type LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { Config } from '../src/config.js';
import type { JobOutcome, SqlRunner } from '../src/core/jobs/job-handler.js';
import { JobLifecycleService } from '../src/core/jobs/job-lifecycle.service.js';
import { JobEntity } from '../src/core/jobs/job.entity.js';
import { JobRepository } from '../src/core/jobs/job.repository.js';
import type { ChargesRepository } from '../src/core/ledger/charges.repository.js';
import { JobSettlementRepository } from '../src/core/ledger/job-settlement.repository.js';
import { dataSourceOptions } from '../src/platform/database/data-source.js';
import type { QueueRepository } from '../src/platform/tools/queue.repository.js';
import type { RedisRepository } from '../src/platform/tools/redis.repository.js';
import type { StorageRepository } from '../src/platform/tools/storage.repository.js';
import { isolatedDatabase } from './support/app.js';

/**
 * Settling hooks and a handler's `settle` against the real settlement transaction: the lifecycle
 * as the worker uses it, with Postgres real and only Redis, the queue and storage left out
 * (nothing here reaches them but announcements).
 */
describe('settling inside a job\'s final transition', () => {
  let db: DataSource;
  let lifecycle: JobLifecycleService;
  /** Every onEnded announcement, as `<job>:<status>`. */
  let announced: string[];
  /** Hooks registered once; each test sets what they do. */
  let hookBehaviour: (tx: SqlRunner, job: JobEntity) => Promise<void>;

  /** Nest's logger, captured: a failing hook is named in a warning. */
  const warnings: string[] = [];
  const captureLogger: LoggerService = { log: () => undefined, error: () => undefined, warn: (m: unknown) => void warnings.push(String(m)) };
  const noop = { remove: async () => undefined, publish: async () => undefined, deletePrefix: async () => undefined };

  beforeAll(async () => {
    db = new DataSource({ ...dataSourceOptions(await isolatedDatabase('settling')), entities: [JobEntity] });
    await db.initialize();
    // What hooks write: a table of the spec's own in the spec's own database.
    await db.query('CREATE TABLE settled_effects (job_id uuid NOT NULL, what text NOT NULL, job_status text NOT NULL)');
    lifecycle = new JobLifecycleService(
      { outputTtlSeconds: 3600 } as unknown as Config,
      new JobRepository(db),
      new JobSettlementRepository(db),
      noop as unknown as ChargesRepository,
      noop as unknown as QueueRepository,
      noop as unknown as StorageRepository,
      noop as unknown as RedisRepository,
    );
    lifecycle.onSettling('outbox', (tx, job) => hookBehaviour(tx, job));
    lifecycle.onEnded('announce', async (job) => void announced.push(`${job.id}:${job.status}`));
    Logger.overrideLogger(captureLogger);
  });
  afterAll(async () => {
    Logger.overrideLogger(false);
    await db.destroy();
  });
  beforeEach(() => {
    announced = [];
    warnings.length = 0;
    hookBehaviour = (tx, job) => record(tx, job.id, 'hook', job.status);
  });

  const record = async (tx: SqlRunner, jobId: string, what: string, status: string) => {
    await tx.query('INSERT INTO settled_effects (job_id, what, job_status) VALUES ($1, $2, $3)', [jobId, what, status]);
  };

  /** An account with 7 credits after paying 3 for a job that is running. */
  async function runningJob(): Promise<{ accountId: string; jobId: string }> {
    const accountId = randomUUID();
    const jobId = randomUUID();
    await db.query(`INSERT INTO accounts (id, name, balance) VALUES ($1, 'settling', 7)`, [accountId]);
    await db.query(
      `INSERT INTO jobs (id, account_id, type, status, input, credits_charged, attempts, started_at)
       VALUES ($2, $1, 'download', 'processing', '{}', 3, 1, now())`,
      [accountId, jobId],
    );
    await db.query(`INSERT INTO ledger_entries (account_id, amount, kind, job_id, reason, balance_after) VALUES ($1, -3, 'charge', $2, 'download', 7)`, [accountId, jobId]);
    return { accountId, jobId };
  }

  const job = async (jobId: string) => (await db.getRepository(JobEntity).findOneBy({ id: jobId }))!;
  const effects = async (jobId: string) =>
    (await db.query('SELECT what, job_status FROM settled_effects WHERE job_id = $1 ORDER BY what', [jobId])) as Array<{ what: string; job_status: string }>;
  const money = async (accountId: string, jobId: string) => {
    const [account] = (await db.query('SELECT balance::int AS balance FROM accounts WHERE id = $1', [accountId])) as Array<{ balance: number }>;
    const refunds = (await db.query(`SELECT amount::int AS amount FROM ledger_entries WHERE job_id = $1 AND kind = 'refund'`, [jobId])) as Array<{ amount: number }>;
    return { balance: account!.balance, refunds: refunds.map((r) => r.amount) };
  };
  const outcome = (settle?: JobOutcome['settle']): JobOutcome => ({
    // Opaque here: the settlement stores a handler's result without reading it.
    result: { title: 'clip' } as unknown as JobOutcome['result'],
    outputs: [],
    cost: 1,
    settle,
  });

  it('runs settle and then the hooks inside the completion, seeing the completed row before anyone else does', async () => {
    const { accountId, jobId } = await runningJob();
    let seenOutside: string | null = null;
    await lifecycle.complete(await job(jobId), outcome(async (tx) => {
      const [inside] = (await tx.query('SELECT status FROM jobs WHERE id = $1', [jobId])) as Array<{ status: string }>;
      // Another connection still sees the job running: this is the uncommitted completion.
      seenOutside = (await job(jobId)).status;
      await record(tx, jobId, 'settle', inside!.status);
    }));
    expect(seenOutside).toBe('processing');
    expect(await effects(jobId)).toEqual([{ what: 'hook', job_status: 'completed' }, { what: 'settle', job_status: 'completed' }]);
    expect((await job(jobId)).status).toBe('completed');
    expect(await money(accountId, jobId)).toEqual({ balance: 9, refunds: [2] });
    expect(announced).toEqual([`${jobId}:completed`]);
  });

  it('a hook that fails rolls the completion back: no status change, no refund, no settle, no announcement', async () => {
    const { accountId, jobId } = await runningJob();
    hookBehaviour = async (tx, j) => {
      await record(tx, j.id, 'hook', j.status);
      throw new Error('outbox table unreachable');
    };
    await expect(lifecycle.complete(await job(jobId), outcome((tx) => record(tx, jobId, 'settle', 'completed')))).rejects.toThrow('outbox table unreachable');
    const after = await job(jobId);
    expect(after.status).toBe('processing');
    expect(after.creditsRefunded).toBe(0);
    expect(after.result).toBeNull();
    expect(await effects(jobId)).toEqual([]);
    expect(await money(accountId, jobId)).toEqual({ balance: 7, refunds: [] });
    expect(announced).toEqual([]);
    expect(warnings).toEqual([`outbox could not settle job ${jobId}, which stays as it was: outbox table unreachable`]);

    // Once the hook works again, the same completion goes through exactly once.
    hookBehaviour = (tx, j) => record(tx, j.id, 'hook', j.status);
    await lifecycle.complete(after, outcome((tx) => record(tx, jobId, 'settle', 'completed')));
    expect(await effects(jobId)).toEqual([{ what: 'hook', job_status: 'completed' }, { what: 'settle', job_status: 'completed' }]);
    expect(await money(accountId, jobId)).toEqual({ balance: 9, refunds: [2] });
  });

  it.each(['fail', 'cancel'] as const)('a hook that fails rolls %s back too; hooks see the failed or canceled row', async (ending) => {
    const { accountId, jobId } = await runningJob();
    const end = () => (ending === 'fail' ? lifecycle.fail(jobId, { code: 'media_unavailable', message: 'gone' }) : lifecycle.cancel(jobId));
    hookBehaviour = async () => {
      throw new Error('no room');
    };
    await expect(end()).rejects.toThrow('no room');
    expect((await job(jobId)).status).toBe('processing');
    expect(await money(accountId, jobId)).toEqual({ balance: 7, refunds: [] });
    expect(announced).toEqual([]);

    hookBehaviour = (tx, j) => record(tx, j.id, 'hook', j.status);
    await end();
    const status = ending === 'fail' ? 'failed' : 'canceled';
    expect(await effects(jobId)).toEqual([{ what: 'hook', job_status: status }]);
    // A failure is refunded whole; a running job canceled keeps its charge.
    expect(await money(accountId, jobId)).toEqual(ending === 'fail' ? { balance: 10, refunds: [3] } : { balance: 7, refunds: [] });
    expect(announced).toEqual([`${jobId}:${status}`]);
  });

  it('settle does not run for a job that ended before its work did', async () => {
    const { accountId, jobId } = await runningJob();
    const held = await job(jobId);
    await lifecycle.fail(jobId, { code: 'internal_error', message: 'the sweeper gave up on it' });
    let settled = false;
    await lifecycle.complete(held, outcome(async () => void (settled = true)));
    expect(settled).toBe(false);
    expect((await job(jobId)).status).toBe('failed');
    expect(await effects(jobId)).toEqual([{ what: 'hook', job_status: 'failed' }]);
    expect(await money(accountId, jobId)).toEqual({ balance: 10, refunds: [3] });
  });

  it('two runs completing one job at once: settle and the hooks run once, the refund is paid once', async () => {
    const { accountId, jobId } = await runningJob();
    const held = await job(jobId);
    let settles = 0;
    // The first to lock the row holds it a while, so the other run waits on the lock and then sees it completed.
    const slowSettle = async (tx: SqlRunner) => {
      settles++;
      await tx.query('SELECT pg_sleep(0.3)');
      await record(tx, jobId, 'settle', 'completed');
    };
    await Promise.all([lifecycle.complete(held, outcome(slowSettle)), lifecycle.complete(held, outcome(slowSettle))]);
    expect(settles).toBe(1);
    expect(await effects(jobId)).toEqual([{ what: 'hook', job_status: 'completed' }, { what: 'settle', job_status: 'completed' }]);
    expect(await money(accountId, jobId)).toEqual({ balance: 9, refunds: [2] });
    expect(announced).toEqual([`${jobId}:completed`]);
  });

  it('a cancel racing a completion waits for it, and finds the job completed', async () => {
    const { accountId, jobId } = await runningJob();
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const completing = lifecycle.complete(await job(jobId), outcome(async (tx) => {
      locked();
      await tx.query('SELECT pg_sleep(0.3)');
    }));
    // The completion holds the row lock until it commits.
    await holding;
    expect(await lifecycle.cancel(jobId)).toBe(false);
    await completing;
    expect((await job(jobId)).status).toBe('completed');
    expect(await effects(jobId)).toEqual([{ what: 'hook', job_status: 'completed' }]);
    expect(await money(accountId, jobId)).toEqual({ balance: 9, refunds: [2] });
  });
});

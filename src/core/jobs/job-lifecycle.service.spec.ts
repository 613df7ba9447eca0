import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger, type LoggerService } from '@nestjs/common';
import type { Config } from '../../config.js';
import type { QueueRepository } from '../../platform/tools/queue.repository.js';
import type { RedisRepository } from '../../platform/tools/redis.repository.js';
import type { StorageRepository } from '../../platform/tools/storage.repository.js';
import type { ChargesRepository } from '../ledger/charges.repository.js';
import type { AfterSettled, JobSettlementRepository } from '../ledger/job-settlement.repository.js';
import type { JobOutcome, SqlRunner } from './job-handler.js';
import { jobEventsChannel } from './job-events.js';
import { CANCEL_CHANNEL, JobLifecycleService } from './job-lifecycle.service.js';
import type { JobEntity, JobError, JobOutput } from './job.entity.js';
import type { JobRepository } from './job.repository.js';

const ACCOUNT = '0b7c2a51-5c59-4bb5-9a0e-3f1f2f0d9c11';
const JOB = '6f1d0c3e-8a57-4c1e-b6a2-2d9a3c4e5f60';
const TTL_SECONDS = 3600;

function jobRow(status: JobEntity['status']): JobEntity {
  return {
    id: JOB, accountId: ACCOUNT, type: 'download', status, progress: 40, platform: null, batchId: null,
    input: {}, result: null, error: null, outputs: [], creditsCharged: 2, creditsRefunded: 0, creditsCommitted: null, attempts: 1,
    createdAt: new Date(), startedAt: new Date(), completedAt: null, updatedAt: new Date(), expiresAt: null, outputsDeletedAt: null,
  };
}

/** The jobs table, one row: what the lifecycle reads back after settling. */
class FakeJobs {
  row = jobRow('processing');
  outputsDeleted: string[] = [];
  async find(id: string): Promise<JobEntity | null> {
    return id === this.row.id ? { ...this.row } : null;
  }
  async markOutputsDeleted(id: string): Promise<void> {
    this.outputsDeleted.push(id);
  }
}

/** The transaction a settlement hands to what runs inside it (the real one is in test/job-settling.spec.ts). */
const TX = { query: async () => [] } as unknown as SqlRunner;

/**
 * The settlement transaction: the first to end a running job wins, as the row lock makes it, and
 * runs `after` with the settled row; `after` failing leaves the row as it was (a rollback).
 */
class FakeSettlement {
  calls: Array<{ op: 'complete' | 'end'; jobId: string; arg: unknown; expiresAt?: Date; after: boolean }> = [];
  constructor(private readonly jobs: FakeJobs) {}
  async complete(jobId: string, done: JobOutcome, expiresAt: Date, after?: AfterSettled): Promise<JobEntity | null> {
    this.calls.push({ op: 'complete', jobId, arg: done, expiresAt, after: !!after });
    if (this.jobs.row.status !== 'processing') return null;
    return this.settle({ ...this.jobs.row, status: 'completed', progress: 100, outputs: done.outputs }, after);
  }
  async end(jobId: string, ending: 'failed' | 'canceled', error: JobError | null, after?: AfterSettled): Promise<boolean> {
    this.calls.push({ op: 'end', jobId, arg: ending, after: !!after });
    if (this.jobs.row.status !== 'pending' && this.jobs.row.status !== 'processing') return false;
    await this.settle({ ...this.jobs.row, status: ending, error }, after);
    return true;
  }
  private async settle(row: JobEntity, after?: AfterSettled): Promise<JobEntity> {
    if (after) await after(TX, row);
    this.jobs.row = row;
    return row;
  }
}

class FakeQueue {
  removed: string[] = [];
  async remove(jobId: string): Promise<void> {
    this.removed.push(jobId);
  }
}

class FakeStorage {
  puts: Array<{ key: string; source: string; opts: unknown }> = [];
  deletedPrefixes: string[] = [];
  async putFile(key: string, source: string, opts: unknown): Promise<number> {
    this.puts.push({ key, source, opts });
    return 1234;
  }
  async deletePrefix(prefix: string): Promise<void> {
    this.deletedPrefixes.push(prefix);
  }
}

class FakeRedis {
  published: Array<{ channel: string; message: string }> = [];
  async publish(channel: string, message: string): Promise<void> {
    this.published.push({ channel, message });
  }
}

/** Nest's logger, captured: a failing listener is logged, not thrown. */
const warnings: string[] = [];
const captureLogger: LoggerService = {
  log: () => undefined,
  error: () => undefined,
  warn: (message: unknown) => void warnings.push(String(message)),
};

const outcome: JobOutcome = {
  // Opaque here: the lifecycle hands a handler's result to the settlement without reading it.
  result: { title: 'clip' } as unknown as JobOutcome['result'],
  outputs: [{ kind: 'media', key: `outputs/${ACCOUNT}/${JOB}/clip.mp4`, filename: 'clip.mp4', content_type: 'video/mp4', size: 10 }],
  cost: 1,
};

describe('JobLifecycleService', () => {
  let jobs: FakeJobs;
  let settlement: FakeSettlement;
  let queue: FakeQueue;
  let storage: FakeStorage;
  let redis: FakeRedis;
  let lifecycle: JobLifecycleService;
  /** Every onEnded call, as `<listener>:<status>`. */
  let ended: string[];
  /** Registers listeners that record their calls into `ended`. */
  const recordEnds = (...names: string[]) => {
    for (const name of names) lifecycle.onEnded(name, async (job) => void ended.push(`${name}:${job.status}`));
  };

  beforeEach(() => {
    jobs = new FakeJobs();
    settlement = new FakeSettlement(jobs);
    queue = new FakeQueue();
    storage = new FakeStorage();
    redis = new FakeRedis();
    lifecycle = new JobLifecycleService(
      { outputTtlSeconds: TTL_SECONDS } as unknown as Config,
      jobs as unknown as JobRepository,
      settlement as unknown as JobSettlementRepository,
      {} as ChargesRepository,
      queue as unknown as QueueRepository,
      storage as unknown as StorageRepository,
      redis as unknown as RedisRepository,
    );
    ended = [];
    warnings.length = 0;
    Logger.overrideLogger(captureLogger);
  });
  afterEach(() => Logger.overrideLogger(false));

  const jobEvents = () => redis.published.filter((p) => p.channel === jobEventsChannel(JOB)).map((p) => JSON.parse(p.message) as unknown);

  it('complete() settles through the settlement repository, then announces once to each listener in order', async () => {
    recordEnds('webhook', 'batch');
    const before = Date.now();
    await lifecycle.complete(jobs.row, outcome);
    // Nothing to run inside the completion: the settlement keeps its one-statement path.
    expect(settlement.calls).toEqual([{ op: 'complete', jobId: JOB, arg: outcome, expiresAt: expect.any(Date), after: false }]);
    const expiresAt = settlement.calls[0]!.expiresAt!.getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + TTL_SECONDS * 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + TTL_SECONDS * 1000);
    // Listeners see the settled row, not the one the worker held.
    expect(ended).toEqual(['webhook:completed', 'batch:completed']);
    expect(jobEvents()).toEqual([{ status: 'completed', progress: 100 }]);
  });

  it('a listener that throws neither stops the next one nor fails the call; it is logged', async () => {
    lifecycle.onEnded('webhook', () => Promise.reject(new Error('receiver table is gone')));
    lifecycle.onEnded('sse', () => {
      throw new Error('synchronous slip');
    });
    recordEnds('batch');
    await expect(lifecycle.complete(jobs.row, outcome)).resolves.toBeUndefined();
    expect(ended).toEqual(['batch:completed']);
    expect(warnings).toEqual([`webhook of job ${JOB}: receiver table is gone`, `sse of job ${JOB}: synchronous slip`]);
  });

  it('complete() of a job canceled meanwhile deletes what it stored and announces nothing', async () => {
    recordEnds('webhook', 'batch');
    const held = { ...jobs.row };
    jobs.row = { ...jobs.row, status: 'canceled' };
    await lifecycle.complete(held, outcome);
    expect(storage.deletedPrefixes).toEqual([`outputs/${ACCOUNT}/${JOB}`]);
    expect(jobs.outputsDeleted).toEqual([JOB]);
    expect(ended).toEqual([]);
    expect(redis.published).toEqual([]);
  });

  it('complete() of a job that failed meanwhile keeps its outputs alone and announces nothing', async () => {
    recordEnds('webhook', 'batch');
    const held = { ...jobs.row };
    jobs.row = { ...jobs.row, status: 'failed' };
    await lifecycle.complete(held, outcome);
    expect(storage.deletedPrefixes).toEqual([]);
    expect(ended).toEqual([]);
  });

  it('fail() settles a running job as failed and announces it with the error', async () => {
    recordEnds('webhook', 'batch');
    const error = { code: 'media_unavailable', message: 'gone' };
    await lifecycle.fail(JOB, error);
    expect(settlement.calls).toEqual([{ op: 'end', jobId: JOB, arg: 'failed', after: false }]);
    expect(ended).toEqual(['webhook:failed', 'batch:failed']);
    expect(jobEvents()).toEqual([{ status: 'failed', error }]);
  });

  it.each(['completed', 'failed', 'canceled'] as const)('fail() of a job already %s announces nothing', async (status) => {
    recordEnds('webhook', 'batch');
    jobs.row = { ...jobs.row, status };
    await lifecycle.fail(JOB, { code: 'internal_error', message: 'late' });
    expect(jobs.row.status).toBe(status);
    expect(ended).toEqual([]);
    expect(redis.published).toEqual([]);
  });

  it('cancel() settles, takes the job off the queue, tells every worker on the cancel channel and announces', async () => {
    recordEnds('webhook', 'batch');
    expect(await lifecycle.cancel(JOB)).toBe(true);
    expect(settlement.calls).toEqual([{ op: 'end', jobId: JOB, arg: 'canceled', after: false }]);
    expect(queue.removed).toEqual([JOB]);
    expect(redis.published).toContainEqual({ channel: CANCEL_CHANNEL, message: JOB });
    expect(jobEvents()).toEqual([{ status: 'canceled' }]);
    expect(ended).toEqual(['webhook:canceled', 'batch:canceled']);
  });

  it('cancel() of a job that has ended is refused and tells nobody', async () => {
    recordEnds('webhook', 'batch');
    jobs.row = { ...jobs.row, status: 'completed' };
    expect(await lifecycle.cancel(JOB)).toBe(false);
    expect(queue.removed).toEqual([]);
    expect(redis.published).toEqual([]);
    expect(ended).toEqual([]);
  });

  it('complete() runs the handler\'s settle, then each settling hook with the settled row, before announcing', async () => {
    const order: string[] = [];
    lifecycle.onSettling('outbox', async (tx, job) => void order.push(`outbox:${job.status}:${tx === TX}`));
    lifecycle.onSettling('ownership', async (_tx, job) => void order.push(`ownership:${job.status}`));
    lifecycle.onEnded('webhook', async (job) => void order.push(`ended:${job.status}`));
    await lifecycle.complete(jobs.row, { ...outcome, settle: async (tx) => void order.push(`settle:${tx === TX}`) });
    expect(order).toEqual(['settle:true', 'outbox:completed:true', 'ownership:completed', 'ended:completed']);
  });

  it.each(['fail', 'cancel'] as const)('%s() runs the settling hooks (never a settle) with the ended row', async (op) => {
    const seen: string[] = [];
    lifecycle.onSettling('outbox', async (_tx, job) => void seen.push(job.status));
    if (op === 'fail') await lifecycle.fail(JOB, { code: 'media_unavailable', message: 'gone' });
    else await lifecycle.cancel(JOB);
    expect(seen).toEqual([op === 'fail' ? 'failed' : 'canceled']);
  });

  it('a settling hook that throws fails the call, names itself, and nothing is announced', async () => {
    recordEnds('webhook');
    lifecycle.onSettling('outbox', () => Promise.reject(new Error('disk full')));
    await expect(lifecycle.complete(jobs.row, outcome)).rejects.toThrow('disk full');
    expect(jobs.row.status).toBe('processing');
    expect(ended).toEqual([]);
    expect(redis.published).toEqual([]);
    expect(warnings).toEqual([`outbox could not settle job ${JOB}, which stays as it was: disk full`]);
  });

  it('context().store puts the file under outputs/<account>/<job>/<attempt>/<filename> and describes it', async () => {
    const ctx = lifecycle.context(jobs.row, new AbortController().signal, '/tmp/work');
    const stored: JobOutput = await ctx.store('/tmp/work/out.mp4', 'my clip.mp4', 'media', 'video/mp4', { keepSource: true });
    expect(storage.puts).toEqual([{ key: `outputs/${ACCOUNT}/${JOB}/1/my clip.mp4`, source: '/tmp/work/out.mp4', opts: { keepSource: true, contentType: 'video/mp4' } }]);
    expect(stored).toEqual({ kind: 'media', key: `outputs/${ACCOUNT}/${JOB}/1/my clip.mp4`, filename: 'my clip.mp4', content_type: 'video/mp4', size: 1234 });
  });

  it('a run that lost its lock stores beside the run that replaced it, never over its files', async () => {
    const stale = lifecycle.context(jobs.row, new AbortController().signal, '/tmp/work-1');
    const replacing = lifecycle.context({ ...jobs.row, attempts: 2 }, new AbortController().signal, '/tmp/work-2');
    const mine = await replacing.store('/tmp/work-2/out.mp4', 'clip.mp4', 'media', 'video/mp4');
    const late = await stale.store('/tmp/work-1/out.mp4', 'clip.mp4', 'media', 'video/mp4');
    expect([mine.key, late.key]).toEqual([`outputs/${ACCOUNT}/${JOB}/2/clip.mp4`, `outputs/${ACCOUNT}/${JOB}/1/clip.mp4`]);
    expect(mine.filename).toBe(late.filename);
  });
});

import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { RedisRepository } from '../../platform/tools/redis.repository.js';
import { jobEventsChannel } from './job-events.js';
import { HEARTBEAT_MS, JobEventsService } from './job-events.service.js';
import type { JobsService } from './jobs.service.js';

const ACCOUNT = '0b7c2a51-5c59-4bb5-9a0e-3f1f2f0d9c11';
const JOB = '6f1d0c3e-8a57-4c1e-b6a2-2d9a3c4e5f60';

/** The job as the API reads it: a status that the test moves, and reads that can fail. */
class FakeJobs {
  status = 'processing';
  failReads = 0;
  async get(_account: string, id: string) {
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('pool busy');
    }
    return { id, status: this.status, progress: this.status === 'processing' ? 40 : 100, error: null };
  }
}

/** Redis pub/sub for one process: handlers by channel. */
class FakeRedis {
  handlers = new Map<string, (message: string) => void>();
  failSubscribe = false;
  async subscribe(channel: string, handler: (message: string) => void) {
    if (this.failSubscribe) throw new Error('redis down');
    this.handlers.set(channel, handler);
    return () => this.handlers.delete(channel);
  }
  publish(channel: string, event: object) {
    this.handlers.get(channel)?.(JSON.stringify(event));
  }
}

/** What a client reads: the frames' data, and whether the stream ended. */
function client() {
  const sink = {
    frames: [] as Array<{ status: string; job?: { status: string } }>,
    beats: 0,
    ended: false,
    write(chunk: string) {
      if (chunk.startsWith(':')) sink.beats++;
      else sink.frames.push(JSON.parse(chunk.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    },
    end() {
      sink.ended = true;
    },
  };
  return sink;
}

describe('JobEventsService.follow', () => {
  let jobs: FakeJobs;
  let redis: FakeRedis;
  let service: JobEventsService;
  beforeEach(() => {
    jest.useFakeTimers();
    jobs = new FakeJobs();
    redis = new FakeRedis();
    service = new JobEventsService(jobs as unknown as JobsService, redis as unknown as RedisRepository);
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('streams the current state, then a published end with the whole job, and ends', async () => {
    const sink = client();
    await service.follow(ACCOUNT, JOB, null, sink);
    expect(sink.frames).toEqual([{ status: 'processing', progress: 40 }]);
    jobs.status = 'canceled';
    redis.publish(jobEventsChannel(JOB), { status: 'canceled' });
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.frames.at(-1)).toMatchObject({ status: 'canceled', job: { id: JOB, status: 'canceled' } });
    expect(sink.ended).toBe(true);
    expect(redis.handlers.size).toBe(0);
  });

  it('an end that was never published still ends the stream at the next heartbeat', async () => {
    const sink = client();
    await service.follow(ACCOUNT, JOB, null, sink);
    jobs.status = 'completed';
    await jest.advanceTimersByTimeAsync(HEARTBEAT_MS - 1);
    expect(sink.ended).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(sink.beats).toBe(1);
    expect(sink.frames.at(-1)).toMatchObject({ status: 'completed', job: { status: 'completed' } });
    expect(sink.ended).toBe(true);
  });

  it('a running job only gets heartbeats', async () => {
    const sink = client();
    await service.follow(ACCOUNT, JOB, null, sink);
    await jest.advanceTimersByTimeAsync(3 * HEARTBEAT_MS);
    expect(sink.beats).toBe(3);
    expect(sink.frames).toHaveLength(1);
    expect(sink.ended).toBe(false);
  });

  it('a final read that fails once is tried again, so the end is not lost', async () => {
    const sink = client();
    await service.follow(ACCOUNT, JOB, null, sink);
    jobs.status = 'failed';
    jobs.failReads = 1;
    redis.publish(jobEventsChannel(JOB), { status: 'failed' });
    await jest.advanceTimersByTimeAsync(1000);
    expect(sink.frames.at(-1)).toMatchObject({ status: 'failed', job: { status: 'failed' } });
    expect(sink.ended).toBe(true);
  });

  it.each([
    ['the first read fails', (j: FakeJobs, _r: FakeRedis) => (j.failReads = 1)],
    ['Redis refuses the subscription', (_j: FakeJobs, r: FakeRedis) => (r.failSubscribe = true)],
  ])('when %s, the stream ends (the client reconnects) instead of hanging or throwing', async (_name, breakIt) => {
    breakIt(jobs, redis);
    const sink = client();
    await expect(service.follow(ACCOUNT, JOB, null, sink)).resolves.toBeInstanceOf(Function);
    expect(sink.ended).toBe(true);
    expect(redis.handlers.size).toBe(0);
    await jest.advanceTimersByTimeAsync(2 * HEARTBEAT_MS);
    expect(sink.beats).toBe(0);
  });
});

import { Injectable } from '@nestjs/common';
import { TERMINAL_STATUSES } from './job-types.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { jobEventId, jobEventsChannel, sseFrame, type JobEvent } from './job-events.js';
import { JobsService } from './jobs.service.js';

export const HEARTBEAT_MS = 15_000;

export interface EventSink {
  write(chunk: string): void;
  end(): void;
}

/**
 * Live progress of one job as Server-Sent Events. Workers publish state and progress on the
 * job's Redis channel, so any API process can stream a job running on any worker machine.
 */
/** Reads of the job for a stream's final frame before the stream ends without it. */
const FINAL_READ_ATTEMPTS = 3;

@Injectable()
export class JobEventsService {
  constructor(
    private readonly jobs: JobsService,
    private readonly redis: RedisRepository,
  ) {}

  /**
   * Streams events newer than `lastEventId` into `sink` until the job ends (the last event
   * carries the whole job), then ends the sink. Returns a function that stops early.
   */
  async follow(accountId: string, jobId: string, lastEventId: number | null, sink: EventSink): Promise<() => void> {
    let last = lastEventId ?? -1;
    let finished = false;
    const timer: { heartbeat?: NodeJS.Timeout } = {};
    let unsubscribe: () => void = () => undefined;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(timer.heartbeat);
      unsubscribe();
      sink.end();
    };
    const emit = async (event: JobEvent) => {
      if (finished) return;
      const terminal = TERMINAL_STATUSES.has(event.status);
      const id = jobEventId(event.status, terminal ? 100 : (event.progress ?? 0));
      if (id > last) {
        last = id;
        const data = terminal ? { ...event, job: await this.finalState(accountId, jobId) } : event;
        if (finished) return;
        sink.write(sseFrame(id, 'job', data));
      }
      if (terminal) finish();
    };
    // Subscribe first, then read the current state: nothing can fall between the two, and
    // the event ids drop whatever arrives twice.
    unsubscribe = await this.redis.subscribe(jobEventsChannel(jobId), (message) => {
      // Whatever arrives on the channel is parsed inside the promise: a bad message ends this stream, nothing else.
      Promise.resolve()
        .then(() => emit(JSON.parse(message) as JobEvent))
        .catch(finish);
    });
    const current = await this.jobs.get(accountId, jobId);
    timer.heartbeat = setInterval(() => !finished && sink.write(': keep-alive\n\n'), HEARTBEAT_MS);
    await emit({ status: current.status as JobEvent['status'], progress: current.progress, ...(current.error ? { error: current.error } : {}) });
    return finish;
  }

  /**
   * The job for the final frame. A read that fails (a pool busy for a moment) is tried again
   * before the stream gives up: a client must not lose the event that says its job ended.
   */
  private async finalState(accountId: string, jobId: string): Promise<Awaited<ReturnType<JobsService['get']>>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.jobs.get(accountId, jobId);
      } catch (err) {
        if (attempt >= FINAL_READ_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }
}

import { Injectable } from '@nestjs/common';
import { TERMINAL_STATUSES } from './job-types.js';
import { RedisRepository } from '../../platform/tools/redis.repository.js';
import { jobEventId, jobEventsChannel, sseFrame, type JobEvent } from './job-events.js';
import { JobsService } from './jobs.service.js';

export const HEARTBEAT_MS = 15_000;

/** Reads of the job for a stream's final frame before the stream ends without it. */
const FINAL_READ_ATTEMPTS = 3;

export interface EventSink {
  write(chunk: string): void;
  end(): void;
}

type JobState = Awaited<ReturnType<JobsService['get']>>;

/** The event that states a job as it is stored. */
function stateEvent(job: JobState): JobEvent {
  return { status: job.status as JobEvent['status'], progress: job.progress, ...(job.error ? { error: job.error } : {}) };
}

/**
 * Live progress of one job as Server-Sent Events. Workers publish state and progress on the
 * job's Redis channel, so any API process can stream a job running on any worker machine.
 */
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
    let current: JobState;
    try {
      unsubscribe = await this.redis.subscribe(jobEventsChannel(jobId), (message) => {
        // Whatever arrives on the channel is parsed inside the promise: a bad message ends this stream, nothing else.
        Promise.resolve()
          .then(() => emit(JSON.parse(message) as JobEvent))
          .catch(finish);
      });
      current = await this.jobs.get(accountId, jobId);
    } catch {
      // The response has begun: the stream ends, and the client reconnects after its retry delay.
      finish();
      return finish;
    }
    timer.heartbeat = setInterval(() => {
      if (finished) return;
      sink.write(': keep-alive\n\n');
      // Pub/sub keeps nothing: an end published while Redis was unreachable is lost. Each beat
      // also reads the job, so a stream outlives its job by one beat at most, never for good.
      this.jobs
        .get(accountId, jobId)
        .then((job) => stateEvent(job))
        .then((event) => (TERMINAL_STATUSES.has(event.status) ? emit(event) : undefined))
        .catch(() => undefined);
    }, HEARTBEAT_MS);
    await emit(stateEvent(current)).catch(finish);
    return finish;
  }

  /**
   * The job for the final frame. A read that fails (a pool busy for a moment) is tried again
   * before the stream gives up: a client must not lose the event that says its job ended.
   */
  private async finalState(accountId: string, jobId: string): Promise<JobState> {
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

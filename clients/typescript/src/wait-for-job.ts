import { client as defaultClient } from './generated/client.gen.js';
import type { Client } from './generated/client/index.js';
import { followJob, getJob } from './generated/sdk.gen.js';
import type { JobDto } from './generated/types.gen.js';

const ENDED: ReadonlySet<JobDto['status']> = new Set(['completed', 'failed', 'canceled']);

export interface WaitForJobOptions {
  /** The client to use (its base URL and key); default the shared `client`. */
  client?: Client;
  /** Give up after this long (default 10 minutes): the promise rejects with a TimeoutError. */
  timeoutMs?: number;
  /** How often to poll when the event stream is not available (default 1 s). */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  /** Called with each progress event (0–100) while following the stream. */
  onProgress?: (progress: number) => void;
}

/** Thrown when the job cannot be read (not yours, or no longer there): carries the problem. */
export class JobWaitError extends Error {
  constructor(
    message: string,
    readonly problem: unknown,
  ) {
    super(message);
    this.name = 'JobWaitError';
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', stop);
      resolve();
    }
    function stop() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Resolves with the job once it has ended (completed, failed or canceled). Follows the job's
 * Server-Sent Events (GET /v1/jobs/{id}/events), whose final event carries the whole job; when
 * the stream cannot be opened or ends early (a proxy that buffers or cuts streams), polls
 * GET /v1/jobs/{id} instead.
 */
export async function waitForJob(id: string, options: WaitForJobOptions = {}): Promise<JobDto> {
  const client = options.client ?? defaultClient;
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 600_000);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    const { stream } = await followJob({ client, path: { id }, signal, sseMaxRetryAttempts: 1 });
    for await (const event of stream) {
      if (event.job && ENDED.has(event.job.status)) return event.job;
      if (event.progress !== undefined) options.onProgress?.(event.progress);
    }
  } catch {
    // The stream failed; polling below tells a real problem (404, timeout) from a transient one.
  }
  for (;;) {
    signal.throwIfAborted();
    const { data, error, response } = await getJob({ client, path: { id }, signal });
    if (data && ENDED.has(data.status)) return data;
    // No answer, 429 and 5xx pass; any other error is final.
    const status = response?.status ?? 0;
    if (error !== undefined && status >= 400 && status < 500 && status !== 429) {
      throw new JobWaitError(`GET /v1/jobs/${id} answered ${status}`, error);
    }
    await pause(options.pollIntervalMs ?? 1000, signal);
  }
}

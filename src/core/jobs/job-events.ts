import type { JobStatus } from './job-types.js';

/** What a live-progress event carries (SSE `data`, and the pub/sub message behind it). */
export interface JobEvent {
  status: JobStatus;
  progress?: number;
  speed_bps?: number | null;
  eta_seconds?: number | null;
  error?: { code: string; message: string };
}

export function jobEventsChannel(jobId: string): string {
  return `job:${jobId}`;
}

const STAGE: Record<JobStatus, number> = { pending: 0, processing: 1, completed: 2, failed: 2, canceled: 2 };

/**
 * The SSE event id: increases with every state or progress change of one job, so a client
 * resuming with Last-Event-ID is sent only what is newer than what it saw.
 */
export function jobEventId(status: JobStatus, progress: number): number {
  return STAGE[status] * 1000 + Math.max(0, Math.min(100, Math.floor(progress)));
}

/** One Server-Sent Events frame. */
export function sseFrame(id: number, event: string, data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

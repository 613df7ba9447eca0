import { AppError, FINAL_ERROR_CODES, isStorageFault, type ErrorCode } from '../../errors.js';

export type FailureDecision =
  | { action: 'retry' }
  | { action: 'wait'; delayMs: number }
  | { action: 'fail'; code: ErrorCode; message: string };

/** Postgres or Redis was found down when a job failed: since when (this job first saw it), and how long a job may wait. */
export interface Outage {
  sinceMs: number;
  nowMs: number;
  maxWaitMs: number;
}

/** A job waiting out an outage tries again after a pause that grows with the outage, within these bounds. */
export const OUTAGE_RETRY_MIN_MS = 1000;
export const OUTAGE_RETRY_MAX_MS = 15_000;

/**
 * The one rule for a job that threw. While Postgres or Redis is down nothing is decided: the
 * job waits and tries again without using an attempt (the outage is nobody's failure), until
 * it has waited `maxWaitMs`. Otherwise input that can never work (unsupported site, media gone
 * or too long, a private address) fails at once, and anything else is a fault worth retrying
 * until the attempts run out. Either way a failed job is refunded by the caller.
 */
export function decideFailure(error: unknown, attemptsMade: number, maxAttempts: number, outage: Outage | null = null): FailureDecision {
  if (outage) {
    const waited = outage.nowMs - outage.sinceMs;
    if (waited < outage.maxWaitMs) return { action: 'wait', delayMs: Math.min(OUTAGE_RETRY_MAX_MS, Math.max(OUTAGE_RETRY_MIN_MS, waited / 2)) };
    return { action: 'fail', code: 'service_unavailable', message: 'A service the job needs was unavailable for too long; the job was refunded' };
  }
  if (error instanceof AppError && FINAL_ERROR_CODES.has(error.code)) {
    return { action: 'fail', code: error.code, message: error.message };
  }
  if (attemptsMade + 1 < maxAttempts) return { action: 'retry' };
  if (error instanceof AppError) return { action: 'fail', code: error.code, message: error.message };
  if (isStorageFault(error)) return { action: 'fail', code: 'storage_unavailable', message: 'The storage is full or unwritable; the job was refunded' };
  return { action: 'fail', code: 'internal_error', message: 'The job failed after several attempts' };
}

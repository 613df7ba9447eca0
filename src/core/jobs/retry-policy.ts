import { AppError, FINAL_ERROR_CODES, isStorageFault, type ErrorCode } from '../../errors.js';

export type FailureDecision = { action: 'retry' } | { action: 'fail'; code: ErrorCode; message: string };

/**
 * The one rule for a job that threw: input that can never work (unsupported site, media gone
 * or too long, a private address) fails at once; anything else is a fault worth retrying
 * until the attempts run out. Either way a failed job is refunded by the caller.
 */
export function decideFailure(error: unknown, attemptsMade: number, maxAttempts: number): FailureDecision {
  if (error instanceof AppError && FINAL_ERROR_CODES.has(error.code)) {
    return { action: 'fail', code: error.code, message: error.message };
  }
  if (attemptsMade + 1 < maxAttempts) return { action: 'retry' };
  if (error instanceof AppError) return { action: 'fail', code: error.code, message: error.message };
  if (isStorageFault(error)) return { action: 'fail', code: 'storage_unavailable', message: 'The storage is full or unwritable; the job was refunded' };
  return { action: 'fail', code: 'internal_error', message: 'The job failed after several attempts' };
}

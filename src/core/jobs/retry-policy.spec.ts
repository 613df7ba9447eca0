import { describe, expect, it } from '@jest/globals';
import { AppError, FINAL_ERROR_CODES, type ErrorCode } from '../../errors.js';
import { decideFailure, OUTAGE_RETRY_MAX_MS, OUTAGE_RETRY_MIN_MS } from './retry-policy.js';

const MAX = 3;

describe('decideFailure', () => {
  it.each([...FINAL_ERROR_CODES].flatMap((code) => [0, MAX - 1].map((attempts) => [code, attempts] as const)))(
    'AppError(%s) fails at once (attemptsMade %i)',
    (code, attempts) => {
      expect(decideFailure(new AppError(code, `because ${code}`), attempts, MAX)).toEqual({ action: 'fail', code, message: `because ${code}` });
    },
  );

  it.each<[string, unknown, number, ReturnType<typeof decideFailure>]>([
    ['plain Error, first attempt', new Error('boom'), 0, { action: 'retry' }],
    ['plain Error, second attempt', new Error('boom'), 1, { action: 'retry' }],
    ['plain Error, last attempt', new Error('boom'), 2, { action: 'fail', code: 'internal_error', message: 'The job failed after several attempts' }],
    ['thrown string, last attempt', 'oops', 2, { action: 'fail', code: 'internal_error', message: 'The job failed after several attempts' }],
    ['upstream_failed, first attempt', new AppError('upstream_failed', 'site down'), 0, { action: 'retry' }],
    ['upstream_failed, last attempt', new AppError('upstream_failed', 'site down'), 2, { action: 'fail', code: 'upstream_failed', message: 'site down' }],
    ['service_unavailable, past the last attempt', new AppError('service_unavailable'), 5, { action: 'fail', code: 'service_unavailable', message: 'Service unavailable' }],
  ])('%s', (_name, error, attempts, expected) => {
    expect(decideFailure(error, attempts, MAX)).toEqual(expected);
  });

  it('never retries when only one attempt is allowed', () => {
    expect(decideFailure(new Error('x'), 0, 1)).toMatchObject({ action: 'fail', code: 'internal_error' });
  });

  it('does not treat internal_error as final', () => {
    expect(FINAL_ERROR_CODES.has('internal_error' as ErrorCode)).toBe(false);
    expect(decideFailure(new AppError('internal_error'), 0, MAX)).toEqual({ action: 'retry' });
  });
});

describe('decideFailure and the storage', () => {
  const fault = (code: string) => Object.assign(new Error(`${code}: no`), { code, syscall: 'write' });

  it('retries a full or read-only disk, then fails it as storage_unavailable (refunded), not internal_error', () => {
    expect(decideFailure(fault('ENOSPC'), 0, 3)).toEqual({ action: 'retry' });
    expect(decideFailure(fault('ENOSPC'), 2, 3)).toMatchObject({ action: 'fail', code: 'storage_unavailable' });
    expect(decideFailure(fault('EROFS'), 0, 1)).toMatchObject({ action: 'fail', code: 'storage_unavailable' });
  });
});

describe('decideFailure while Postgres or Redis is down', () => {
  const MINUTE = 60_000;
  const outage = (waitedMs: number) => ({ sinceMs: 1_000_000, nowMs: 1_000_000 + waitedMs, maxWaitMs: 15 * MINUTE });

  it.each<[string, unknown, number]>([
    ['a plain Error on the last attempt', new Error('boom'), MAX - 1],
    ['a final code', new AppError('media_unavailable'), 0],
    ['a connection error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), MAX - 1],
  ])('waits instead of deciding on %s, without using an attempt', (_name, error, attempts) => {
    expect(decideFailure(error, attempts, MAX, outage(0))).toEqual({ action: 'wait', delayMs: OUTAGE_RETRY_MIN_MS });
  });

  it('pauses longer as the outage goes on, never more than the maximum', () => {
    expect(decideFailure(new Error('x'), 0, MAX, outage(10_000))).toEqual({ action: 'wait', delayMs: 5000 });
    expect(decideFailure(new Error('x'), 0, MAX, outage(10 * MINUTE))).toEqual({ action: 'wait', delayMs: OUTAGE_RETRY_MAX_MS });
  });

  it('fails (refunded) as service_unavailable once the job has waited as long as allowed', () => {
    expect(decideFailure(new Error('x'), 0, MAX, outage(15 * MINUTE))).toMatchObject({ action: 'fail', code: 'service_unavailable' });
  });
});

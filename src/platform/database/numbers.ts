import type { ValueTransformer } from 'typeorm';

/**
 * Postgres bigint arrives as a string (pg does not guess). Credits are integers far below
 * 2^53, so they convert exactly; anything larger is a bug worth failing loudly on.
 */
export function toSafeInteger(value: string | number | bigint): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer: ${String(value)}`);
  return n;
}

export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : toSafeInteger(value)),
};

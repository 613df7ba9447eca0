import type { PriceTable } from '../../config.js';

/**
 * Speech is priced per started minute, never below the base (captions) price. Half a second
 * past a minute does not start another: encoders pad audio by a few milliseconds.
 */
export function asrPrice(prices: PriceTable, durationSeconds: number): number {
  const minutes = Math.max(1, Math.ceil((durationSeconds - 0.5) / 60));
  return Math.max(prices.transcribe, minutes * prices.transcribe_asr_minute);
}

/**
 * The most speech `credits` pay for, in whole minutes (seconds; Infinity when minutes are
 * free); 0 when they do not pay even the base price or one minute. `asrPrice` of the result
 * never exceeds `credits`.
 */
export function asrSecondsCovered(prices: PriceTable, credits: number): number {
  if (credits < prices.transcribe) return 0;
  if (prices.transcribe_asr_minute <= 0) return Infinity;
  return Math.floor(credits / prices.transcribe_asr_minute) * 60;
}

/** When the duration is unknown at submit, speech is reserved for this long (and capped by it). */
export const UNKNOWN_DURATION_RESERVE_SECONDS = 600;

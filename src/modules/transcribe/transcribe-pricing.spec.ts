import { describe, expect, it } from '@jest/globals';
import type { PriceTable } from '../../config.js';
import { asrPrice, asrSecondsCovered } from './transcribe-pricing.js';

const prices = (base: number, perMinute: number) => ({ transcribe: base, transcribe_asr_minute: perMinute }) as PriceTable;

describe('speech pricing', () => {
  it('prices started minutes, never below the base price', () => {
    const p = prices(3, 1);
    expect([asrPrice(p, 0), asrPrice(p, 60.4), asrPrice(p, 61), asrPrice(p, 180.5), asrPrice(p, 181), asrPrice(p, 360)]).toEqual([3, 3, 3, 3, 4, 6]);
  });

  it('covers whole minutes that the credits pay for, and nothing below the base price', () => {
    const p = prices(3, 1);
    expect([asrSecondsCovered(p, 2), asrSecondsCovered(p, 3), asrSecondsCovered(p, 4), asrSecondsCovered(p, 10)]).toEqual([0, 180, 240, 600]);
    expect(asrSecondsCovered(prices(3, 2), 5)).toBe(120);
    expect(asrSecondsCovered(prices(0, 0), 0)).toBe(Infinity);
  });

  it('never covers more than the credits pay for', () => {
    for (const [base, perMinute] of [[3, 1], [1, 2], [5, 3], [2, 7]] as const)
      for (let credits = base; credits <= 60; credits++) {
        const seconds = asrSecondsCovered(prices(base, perMinute), credits);
        if (seconds > 0) expect(asrPrice(prices(base, perMinute), seconds)).toBeLessThanOrEqual(credits);
        // One more minute would cost more than the credits.
        expect(asrPrice(prices(base, perMinute), seconds + 60)).toBeGreaterThan(credits);
      }
  });
});

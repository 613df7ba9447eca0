import { describe, expect, it } from '@jest/globals';
import { billedCost, refundOnCompletion, refundOnCompletionSql, refundOnEnd } from './settlement.js';

const job = (status: string, charged: number, refunded = 0) => ({ status, credits_charged: charged, credits_refunded: refunded });

describe('settlement rules', () => {
  it('refunds a failed job whatever it did, and only what was not refunded yet', () => {
    expect(refundOnEnd(job('processing', 5), 'failed')).toBe(5);
    expect(refundOnEnd(job('pending', 5, 2), 'failed')).toBe(3);
  });

  it('refunds a canceled job only when it had not started', () => {
    expect(refundOnEnd(job('pending', 3), 'canceled')).toBe(3);
    expect(refundOnEnd(job('processing', 3), 'canceled')).toBe(0);
  });

  it('gives back the uncommitted part of a running per-minute job that is canceled', () => {
    const running = (charged: number, committed: number | null, refunded = 0) => ({ ...job('processing', charged, refunded), credits_committed: committed });
    expect(refundOnEnd(running(10, 3), 'canceled')).toBe(7);
    expect(refundOnEnd(running(10, 10), 'canceled')).toBe(0);
    expect(refundOnEnd(running(10, null), 'canceled')).toBe(0);
    // Committed beyond the charge (it never can be) keeps the charge, never more.
    expect(refundOnEnd(running(4, 9), 'canceled')).toBe(0);
    expect(refundOnEnd(running(10, 3, 5), 'canceled')).toBe(5);
    expect(refundOnEnd({ ...running(10, 3), status: 'pending' }, 'canceled')).toBe(10);
    expect(refundOnEnd(running(10, 3), 'failed')).toBe(10);
  });

  it('keeps what completed work cost and returns the unused reservation', () => {
    expect(refundOnCompletion(job('processing', 10), 4)).toBe(6);
    expect(refundOnCompletion(job('processing', 10), 10)).toBe(0);
    expect(refundOnCompletion(job('processing', 3), 0)).toBe(3);
  });

  it('never refunds more than was charged, nor charges more than was reserved', () => {
    expect(refundOnCompletion(job('processing', 3), 7)).toBe(0);
    expect(refundOnCompletion(job('processing', 3), -2)).toBe(3);
    expect(refundOnCompletion(job('processing', 10, 8), 4)).toBe(2);
  });
});

describe('settlement rules in SQL', () => {
  // The SQL expression only uses GREATEST, LEAST, subtraction, two columns and the placeholder:
  // evaluated as JavaScript it must agree with the function everywhere.
  const expression = refundOnCompletionSql('$5').replace(/GREATEST/g, 'Math.max').replace(/LEAST/g, 'Math.min').replace(/\$5/g, 'billed');
  const evaluate = new Function('credits_charged', 'credits_refunded', 'billed', `return ${expression};`) as (c: number, r: number, b: number) => number;

  it('computes the completion refund exactly as refundOnCompletion does', () => {
    for (const charged of [0, 1, 3, 10])
      for (let refunded = 0; refunded <= charged; refunded++)
        for (const cost of [-2, 0, 0.4, 1, 2.5, 3, 9, 10, 11, 50])
          expect(evaluate(charged, refunded, billedCost(cost))).toBe(refundOnCompletion(job('processing', charged, refunded), cost));
  });
});

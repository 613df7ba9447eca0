import { describe, expect, it } from '@jest/globals';
import { classifyEvent, reversalTarget } from './billing-rules.js';

const event = (type: string, object: Record<string, unknown>) => ({ type, data: { object } });

describe('what a Stripe event means for a checkout', () => {
  it('a completed session is paid only when Stripe says so', () => {
    expect(classifyEvent(event('checkout.session.completed', { id: 'cs_1', payment_status: 'paid', payment_intent: 'pi_1' }))).toEqual({
      kind: 'paid', sessionId: 'cs_1', paymentIntent: 'pi_1',
    });
    expect(classifyEvent(event('checkout.session.completed', { id: 'cs_1', payment_status: 'unpaid', payment_intent: 'pi_1' }))).toMatchObject({
      kind: 'awaiting_payment',
    });
    expect(classifyEvent(event('checkout.session.async_payment_succeeded', { id: 'cs_1', payment_status: 'unpaid', payment_intent: { id: 'pi_1' } }))).toEqual({
      kind: 'paid', sessionId: 'cs_1', paymentIntent: 'pi_1',
    });
  });

  it('refunds and disputes are found by payment intent, with their cumulative amounts', () => {
    expect(classifyEvent(event('charge.refunded', { id: 'ch_1', payment_intent: 'pi_1', amount: 1000, amount_refunded: 400 }))).toEqual({
      kind: 'refunded', paymentIntent: 'pi_1', amountRefunded: 400,
    });
    expect(classifyEvent(event('charge.dispute.created', { id: 'dp_1', charge: 'ch_1', payment_intent: 'pi_1', amount: 1000 }))).toEqual({
      kind: 'disputed', paymentIntent: 'pi_1', amountDisputed: 1000,
    });
  });

  it('anything else, or an event missing what it needs, is ignored', () => {
    expect(classifyEvent(event('customer.created', { id: 'cus_1' }))).toEqual({ kind: 'ignored' });
    expect(classifyEvent(event('checkout.session.completed', { payment_status: 'paid' }))).toEqual({ kind: 'ignored' });
    expect(classifyEvent(event('charge.refunded', { id: 'ch_1', amount_refunded: 5 }))).toEqual({ kind: 'ignored' });
    expect(classifyEvent(event('charge.refunded', { id: 'ch_1', payment_intent: 'pi_1', amount_refunded: -5 }))).toEqual({
      kind: 'refunded', paymentIntent: 'pi_1', amountRefunded: 0,
    });
  });
});

describe('credits a refund or dispute takes back', () => {
  const pack = { credits: 1000, amount: 1000 };

  it('is proportional to what was lost, rounded up, and never more than the pack', () => {
    expect(reversalTarget(pack, 0, 0)).toBe(0);
    expect(reversalTarget(pack, 1000, 0)).toBe(1000);
    expect(reversalTarget(pack, 333, 0)).toBe(333);
    expect(reversalTarget({ credits: 5500, amount: 5000 }, 1, 0)).toBe(2);
    expect(reversalTarget(pack, 0, 5000)).toBe(1000);
    expect(reversalTarget(pack, 400, 1000)).toBe(1000);
    expect(reversalTarget({ credits: 10, amount: 0 }, 1, 0)).toBe(10);
  });

  it('stays exact where credits × amount passes 2^53', () => {
    expect(reversalTarget({ credits: 1_000_000_000, amount: 99_999_999 }, 33_333_333, 0)).toBe(333_333_334);
  });
});

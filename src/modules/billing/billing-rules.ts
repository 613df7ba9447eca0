/**
 * What Stripe's events do to a checkout, as pure rules (specified by billing-rules.spec.ts); the
 * repository applies them inside the checkout's locked transaction.
 */

/** The events that change anything; every other type is acknowledged and ignored. */
export type BillingEvent =
  | { kind: 'paid'; sessionId: string; paymentIntent: string | null }
  | { kind: 'awaiting_payment'; sessionId: string; paymentIntent: string | null }
  | { kind: 'closed'; sessionId: string; status: 'expired' | 'failed' }
  | { kind: 'refunded'; paymentIntent: string; amountRefunded: number }
  | { kind: 'disputed'; paymentIntent: string; amountDisputed: number }
  | { kind: 'ignored' };

/** The fields of a Stripe event this installation reads (the SDK types the rest). */
export interface StripeEventLike {
  type: string;
  data: { object: Record<string, unknown> };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const idOf = (v: unknown): string | null => str(v) ?? (v && typeof v === 'object' ? str((v as { id?: unknown }).id) : null);
const amountOf = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** A verified Stripe event → what it means for a checkout of ours. */
export function classifyEvent(event: StripeEventLike): BillingEvent {
  const o = event.data.object;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const sessionId = str(o.id);
      if (!sessionId) return { kind: 'ignored' };
      const paymentIntent = idOf(o.payment_intent);
      // `completed` with a delayed payment method (bank debits) is not paid yet: async_payment_succeeded follows.
      const paid = event.type === 'checkout.session.async_payment_succeeded' || o.payment_status === 'paid' || o.payment_status === 'no_payment_required';
      return { kind: paid ? 'paid' : 'awaiting_payment', sessionId, paymentIntent };
    }
    case 'checkout.session.expired':
    case 'checkout.session.async_payment_failed': {
      const sessionId = str(o.id);
      if (!sessionId) return { kind: 'ignored' };
      return { kind: 'closed', sessionId, status: event.type === 'checkout.session.expired' ? 'expired' : 'failed' };
    }
    case 'charge.refunded': {
      const paymentIntent = idOf(o.payment_intent);
      // `amount_refunded` is cumulative over every refund of the charge, so replays and reordering agree.
      return paymentIntent ? { kind: 'refunded', paymentIntent, amountRefunded: amountOf(o.amount_refunded) } : { kind: 'ignored' };
    }
    case 'charge.dispute.created': {
      const paymentIntent = idOf(o.payment_intent);
      return paymentIntent ? { kind: 'disputed', paymentIntent, amountDisputed: amountOf(o.amount) } : { kind: 'ignored' };
    }
    default:
      return { kind: 'ignored' };
  }
}

/**
 * How many of a pack's credits stay taken back once `refunded` or `disputed` (of the `amount`
 * paid, in the currency's smallest unit) is gone: proportional, rounded up, never more than the
 * pack. Cumulative, so each event moves the total to a target and only the difference is taken.
 */
export function reversalTarget(pack: { credits: number; amount: number }, refunded: number, disputed: number): number {
  const lost = Math.max(refunded, disputed);
  if (lost <= 0) return 0;
  if (pack.amount <= 0 || lost >= pack.amount) return pack.credits;
  // BigInt: credits × amount can pass 2^53.
  const credits = BigInt(pack.credits);
  const scaled = (credits * BigInt(lost) + BigInt(pack.amount) - 1n) / BigInt(pack.amount);
  return Number(scaled < credits ? scaled : credits);
}

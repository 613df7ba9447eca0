import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import type { CreditPack } from '../../config.js';
import { CreditsRepository } from '../../core/ledger/credits.repository.js';
import { IdempotencyRepository, type Replay } from '../../core/ledger/idempotency.repository.js';
import { toSafeInteger } from '../../platform/database/numbers.js';
import { firstRow, rows, transaction, type Row } from '../../platform/database/sql.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { reversalTarget, type BillingEvent } from './billing-rules.js';

export type CheckoutStatus = 'open' | 'paid' | 'refunded' | 'expired' | 'failed';

export interface Checkout {
  id: string;
  accountId: string;
  packId: string;
  credits: number;
  amount: number;
  currency: string;
  status: CheckoutStatus;
  amountRefunded: number;
  amountDisputed: number;
  creditsReversed: number;
  createdAt: Date;
  paidAt: Date | null;
}

/** What processing an event did; stored with the event id. */
export type EventOutcome =
  | 'credited'
  | 'already_credited'
  | 'awaiting_payment'
  | 'closed'
  | 'reversed'
  | 'nothing_to_reverse'
  | 'unknown_session'
  | 'not_paid'
  | 'ignored';

export interface ProcessedEvent {
  outcome: EventOutcome | 'duplicate';
  sessionId: string | null;
  accountId: string | null;
}

const checkoutOf = (r: Row): Checkout => ({
  id: r.id as string,
  accountId: r.account_id as string,
  packId: r.pack_id as string,
  credits: toSafeInteger(r.credits as string),
  amount: toSafeInteger(r.amount as string),
  currency: r.currency as string,
  status: r.status as CheckoutStatus,
  amountRefunded: toSafeInteger(r.amount_refunded as string),
  amountDisputed: toSafeInteger(r.amount_disputed as string),
  creditsReversed: toSafeInteger(r.credits_reversed as string),
  createdAt: r.created_at as Date,
  paidAt: (r.paid_at as Date | null) ?? null,
});

type Applied = { outcome: EventOutcome; sessionId: string | null; accountId: string | null };

/**
 * Checkouts and the Stripe events applied to them. Each event is processed in one transaction:
 * its id is recorded first (a concurrent delivery of the same event waits on it, then sees it
 * done), then the checkout is locked and moved, and the credits move with it.
 */
/**
 * Records the session's ($1) payment intent ($2) unless it has one, or another session already
 * holds that one: an event that names a payment intent twice must credit its session, not fail
 * (a 500 would make Stripe send it again and again). Refunds then follow the first session.
 */
const CLAIM_PAYMENT_INTENT = `payment_intent = coalesce(payment_intent,
  (SELECT $2::text WHERE NOT EXISTS (SELECT 1 FROM checkout_sessions other WHERE other.payment_intent = $2::text AND other.id <> $1)))`;

@Injectable()
export class BillingRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly credits: CreditsRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  /**
   * Records a session Stripe created, with the pack it sells, and the Idempotency-Key's response,
   * in one transaction. A repeat of the same session (Stripe returned it for the same key) is kept
   * once. Returns the earlier response when another request claimed the key first.
   */
  recordCheckout(
    session: { id: string; accountId: string; pack: CreditPack },
    idem: IdempotencyInput | null,
    response: StoredResponse,
  ): Promise<Replay | null> {
    return transaction(this.db, async (q) => {
      if (idem) {
        const earlier = await this.idempotency.claim(session.accountId, idem, response, q);
        if (earlier) return earlier;
      }
      const { pack } = session;
      await q.query(
        `INSERT INTO checkout_sessions (id, account_id, pack_id, credits, amount, currency) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO NOTHING`,
        [session.id, session.accountId, pack.id, pack.credits, pack.amount, pack.currency],
      );
      return null;
    });
  }

  /** The account's checkouts, newest first, after the (created_at, id) cursor. */
  list(accountId: string, after: { createdAt: string; id: string } | null, limit: number): Promise<Checkout[]> {
    const params: unknown[] = [accountId, limit];
    let where = 'account_id = $1';
    if (after) {
      params.push(after.createdAt, after.id);
      where += ' AND (created_at, id) < ($3::timestamptz, $4)';
    }
    return rows(this.db, `SELECT * FROM checkout_sessions WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`, params, checkoutOf);
  }

  /** Applies a verified event once, whatever else arrives concurrently; a repeat does nothing. */
  process(eventId: string, type: string, event: BillingEvent): Promise<ProcessedEvent> {
    return transaction(this.db, async (q) => {
      const fresh = await rows(q, `INSERT INTO stripe_events (id, type, outcome) VALUES ($1, $2, 'processing') ON CONFLICT (id) DO NOTHING RETURNING 1`, [eventId, type], () => 1);
      if (fresh.length === 0) return { outcome: 'duplicate' as const, sessionId: null, accountId: null };
      const applied = await this.apply(q, event);
      await q.query('UPDATE stripe_events SET outcome = $2, session_id = $3 WHERE id = $1', [eventId, applied.outcome, applied.sessionId]);
      return applied;
    });
  }

  private async apply(q: QueryRunner, event: BillingEvent): Promise<Applied> {
    switch (event.kind) {
      case 'paid':
        return this.pay(q, event.sessionId, event.paymentIntent);
      case 'awaiting_payment':
        return this.update(q, event.sessionId, CLAIM_PAYMENT_INTENT, [event.paymentIntent], 'awaiting_payment');
      case 'closed':
        return this.update(q, event.sessionId, `status = CASE WHEN status = 'open' THEN $2 ELSE status END`, [event.status], 'closed');
      case 'refunded':
        return this.reverse(q, event.paymentIntent, 'amount_refunded', event.amountRefunded, 'purchase refunded');
      case 'disputed':
        return this.reverse(q, event.paymentIntent, 'amount_disputed', event.amountDisputed, 'purchase disputed');
      case 'ignored':
        return { outcome: 'ignored', sessionId: null, accountId: null };
      default: {
        const never: never = event;
        throw new Error(`unexpected billing event ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * open → paid and the pack's credits, once: the status change is conditional on the locked row
   * and the ledger entry carries the session as its unique reference.
   */
  private async pay(q: QueryRunner, sessionId: string, paymentIntent: string | null): Promise<Applied> {
    const session = await this.lock(q, 'id', sessionId);
    if (!session) return { outcome: 'unknown_session', sessionId, accountId: null };
    const base = { sessionId, accountId: session.accountId };
    if (session.status !== 'open') return { outcome: 'already_credited', ...base };
    await q.query(
      `UPDATE checkout_sessions SET status = 'paid', paid_at = now(), updated_at = now(), ${CLAIM_PAYMENT_INTENT} WHERE id = $1`,
      [sessionId, paymentIntent],
    );
    await this.credits.creditIn(q, session.accountId, session.credits, 'purchase', `credit pack ${session.packId}`, `stripe:checkout:${sessionId}`);
    return { outcome: 'credited', ...base };
  }

  /** Takes back what a refund or dispute lost, up to its cumulative target; what is spent becomes owed. */
  private async reverse(q: QueryRunner, paymentIntent: string, column: 'amount_refunded' | 'amount_disputed', amount: number, reason: string): Promise<Applied> {
    const session = await this.lock(q, 'payment_intent', paymentIntent);
    if (!session) return { outcome: 'unknown_session', sessionId: null, accountId: null };
    const base = { sessionId: session.id, accountId: session.accountId };
    if (session.status !== 'paid' && session.status !== 'refunded') return { outcome: 'not_paid', ...base };
    const refunded = column === 'amount_refunded' ? Math.max(amount, session.amountRefunded) : session.amountRefunded;
    const disputed = column === 'amount_disputed' ? Math.max(amount, session.amountDisputed) : session.amountDisputed;
    const target = reversalTarget(session, refunded, disputed);
    const more = target - session.creditsReversed;
    await q.query(
      `UPDATE checkout_sessions SET amount_refunded = $2, amount_disputed = $3, credits_reversed = GREATEST(credits_reversed, $4),
              status = CASE WHEN $4 > 0 THEN 'refunded' ELSE status END, updated_at = now()
       WHERE id = $1`,
      [session.id, refunded, disputed, target],
    );
    if (more <= 0) return { outcome: 'nothing_to_reverse', ...base };
    await this.credits.takeBackIn(q, session.accountId, more, reason, `stripe:reversal:${session.id}:${target}`);
    return { outcome: 'reversed', ...base };
  }

  private async update(q: QueryRunner, sessionId: string, set: string, params: unknown[], outcome: EventOutcome): Promise<Applied> {
    const row = await firstRow(q, `UPDATE checkout_sessions SET ${set}, updated_at = now() WHERE id = $1 RETURNING account_id`, [sessionId, ...params], (r) => r.account_id as string);
    return row ? { outcome, sessionId, accountId: row } : { outcome: 'unknown_session', sessionId, accountId: null };
  }

  private lock(q: QueryRunner, by: 'id' | 'payment_intent', value: string): Promise<Checkout | null> {
    return firstRow(q, `SELECT * FROM checkout_sessions WHERE ${by} = $1 FOR UPDATE`, [value], checkoutOf);
  }
}

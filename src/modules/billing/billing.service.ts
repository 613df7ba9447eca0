import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { CONFIG, type Config, type CreditPack } from '../../config.js';
import { settleCharge } from '../../core/ledger/charge-outcome.js';
import { IdempotencyRepository } from '../../core/ledger/idempotency.repository.js';
import { AppError } from '../../errors.js';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { readCursor, toPage } from '../../platform/http/pagination.js';
import { StripeRepository } from '../../platform/tools/stripe.repository.js';
import { classifyEvent, type StripeEventLike } from './billing-rules.js';
import { BillingRepository, type Checkout, type ProcessedEvent } from './billing.repository.js';

/** Credit packs on sale, Stripe Checkout to buy them, and the events that credit (or take back) them. */
@Injectable()
export class BillingService {
  private readonly logger = new Logger(BillingService.name);

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly stripe: StripeRepository,
    private readonly billing: BillingRepository,
    private readonly idempotency: IdempotencyRepository,
  ) {}

  packs(): CreditPack[] {
    this.requireEnabled();
    return this.config.billing.packs;
  }

  /**
   * Creates a Checkout Session for a pack and records it before answering. With an
   * Idempotency-Key, a repeat gets the first answer, and Stripe is asked with a key derived from
   * it, so even a retry after a lost answer finds the same session.
   */
  async checkout(accountId: string, packId: string, idem: IdempotencyInput | null): Promise<StoredResponse> {
    this.requireEnabled();
    const pack = this.config.billing.packs.find((p) => p.id === packId);
    if (!pack) {
      throw new AppError('validation_failed', `No credit pack "${packId}"`, { errors: [{ field: 'pack_id', message: 'is not one of GET /v1/billing/packs' }] });
    }
    if (idem) {
      const earlier = await this.idempotency.findReplay(accountId, idem);
      if (earlier) return settleCharge(earlier, 0);
    }
    const stripeKey = idem ? createHash('sha256').update(`${accountId}\n${idem.key}\n${idem.requestHash}`).digest('hex') : randomUUID();
    const session = await this.stripe.createCheckout({ accountId, packId: pack.id, credits: pack.credits, amount: pack.amount, currency: pack.currency, name: pack.name, idempotencyKey: stripeKey });
    const response: StoredResponse = {
      statusCode: 201,
      body: { session_id: session.id, checkout_url: session.url, pack_id: pack.id, credits: pack.credits, amount: pack.amount, currency: pack.currency },
    };
    const earlier = await this.billing.recordCheckout({ id: session.id, accountId, pack }, idem, response);
    return earlier ? settleCharge(earlier, 0) : response;
  }

  async payments(accountId: string, cursor: string | undefined, limit: number): Promise<{ rows: Checkout[]; next_cursor: string | null }> {
    this.requireEnabled();
    const after = readCursor(cursor, 2, ([at, id]) => typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && id.length <= 255);
    const rows = await this.billing.list(accountId, after ? { createdAt: after[0] as string, id: after[1] as string } : null, limit + 1);
    return toPage(rows, limit, (c) => [c.createdAt.toISOString(), c.id]);
  }

  /**
   * A webhook delivery: verified against its raw body, then applied once. An event about a
   * session this installation never created credits nothing and is acknowledged, so Stripe stops.
   */
  async receive(rawBody: Buffer, signature: string | undefined): Promise<ProcessedEvent & { event_id: string }> {
    const event = this.stripe.verifyEvent(rawBody, signature);
    const processed = await this.billing.process(event.id, event.type, classifyEvent(event as unknown as StripeEventLike));
    if (processed.outcome === 'unknown_session') this.logger.warn(`stripe event ${event.id} (${event.type}) names no checkout of this installation; nothing credited`);
    else this.logger.log(`stripe event ${event.id} (${event.type}): ${processed.outcome}${processed.sessionId ? ` for ${processed.sessionId}` : ''}`);
    return { ...processed, event_id: event.id };
  }

  private requireEnabled(): void {
    if (!this.stripe.enabled) throw new AppError('billing_unavailable', 'Billing is not configured on this installation');
  }
}

import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';

export interface CheckoutRequest {
  accountId: string;
  packId: string;
  credits: number;
  amount: number;
  currency: string;
  name: string;
  /** Stripe's own idempotency key: a retried request gets the session the first one created. */
  idempotencyKey: string;
}

export interface CreatedCheckout {
  id: string;
  url: string;
}

/**
 * Stripe's API (Checkout Sessions) and its webhook signatures, through the official SDK. The SDK
 * retries network errors and 5xx with backoff. `STRIPE_API_BASE` points it at another server
 * (stripe-mock, a test server). Keys and secrets never leave this class.
 */
@Injectable()
export class StripeRepository {
  private client: Stripe | null = null;

  constructor(@Inject(CONFIG) private readonly config: Config) {}

  /** Whether an operator configured Stripe; without it billing answers 503. */
  get enabled(): boolean {
    return this.config.billing.stripeSecretKey !== null;
  }

  private get api(): Stripe {
    const { stripeSecretKey, stripeApiBase } = this.config.billing;
    if (!stripeSecretKey) throw new AppError('billing_unavailable', 'Billing is not configured on this installation');
    this.client ??= new Stripe(stripeSecretKey, { maxNetworkRetries: 2, timeout: 20_000, ...(stripeApiBase ? apiBase(stripeApiBase) : {}) });
    return this.client;
  }

  async createCheckout(req: CheckoutRequest): Promise<CreatedCheckout> {
    const { successUrl, cancelUrl } = this.config.billing;
    let session: Stripe.Checkout.Session;
    try {
      session = await this.api.checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: req.accountId,
          metadata: { account_id: req.accountId, pack_id: req.packId, credits: String(req.credits) },
          line_items: [{ quantity: 1, price_data: { currency: req.currency, unit_amount: req.amount, product_data: { name: req.name } } }],
          success_url: successUrl,
          cancel_url: cancelUrl,
        },
        { idempotencyKey: req.idempotencyKey },
      );
    } catch (err) {
      if (err instanceof AppError) throw err;
      // The SDK's message names what Stripe refused; it never contains the key.
      throw new AppError('upstream_failed', `Stripe refused the checkout: ${(err as Error).message}`);
    }
    if (!session.url) throw new AppError('upstream_failed', 'Stripe returned a checkout session without a URL');
    return { id: session.id, url: session.url };
  }

  /**
   * The event in a webhook delivery, once its `Stripe-Signature` is verified against the raw body
   * with the SDK (default tolerance, 300 s). A bad, forged or stale signature is a 400.
   */
  verifyEvent(rawBody: Buffer, signature: string | undefined): Stripe.Event {
    const secret = this.config.billing.stripeWebhookSecret;
    if (!this.enabled || !secret) throw new AppError('billing_unavailable', 'Billing is not configured on this installation');
    if (!signature) throw new AppError('invalid_signature', 'The Stripe-Signature header is missing');
    try {
      return this.api.webhooks.constructEvent(rawBody, signature, secret);
    } catch {
      throw new AppError('invalid_signature', 'The Stripe-Signature header does not match the body, or is too old');
    }
  }
}

/** `http://host:port` → the SDK's host, port and protocol options. */
export function apiBase(base: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const url = new URL(base);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}

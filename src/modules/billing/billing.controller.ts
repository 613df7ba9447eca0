import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, PublicEndpoint, Public, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { PageQueryDto } from '../../platform/http/pagination.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { BillingService } from './billing.service.js';
import { CheckoutDto, CheckoutRequestDto, CreditPackListDto, PaymentPageDto, WebhookReceiptDto } from './dto/billing.dto.js';

@ApiTags('billing')
@Controller('v1/billing')
export class BillingController {
  constructor(@Inject(BillingService) private readonly billing: BillingService) {}

  @Get('packs')
  @ApiSecurity('bearer')
  @ApiSecurity('apiKey')
  @ApiOperation({ operationId: 'listCreditPacks', summary: 'Credit packs on sale', description: '`amount` is in the currency’s smallest unit (cents).' })
  @ApiOkResponse({ type: CreditPackListDto })
  @AuthedEndpoint('billing', { 503: true })
  packs(): CreditPackListDto {
    return { data: this.billing.packs().map((p) => ({ id: p.id, credits: p.credits, amount: p.amount, currency: p.currency, name: p.name })) };
  }

  @Post('checkout')
  @HttpCode(201)
  @RateClassOf('account')
  @ApiSecurity('bearer')
  @ApiSecurity('apiKey')
  @ApiOperation({
    operationId: 'createCheckout',
    summary: 'Buy a credit pack through Stripe Checkout',
    description:
      'Creates a Stripe Checkout Session for the pack and records it; send the customer to `checkout_url`. The credits arrive ' +
      'once Stripe reports the payment (the webhook), exactly once. Listed in GET /v1/billing/payments from now on.',
  })
  @ApiCreatedResponse({ type: CheckoutDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('billing', { 409: true, 422: 'No such pack (`validation_failed`)', 502: 'Stripe did not create the session (`upstream_failed`); nothing was recorded' })
  async checkout(@AccountId() accountId: string, @Body() body: CheckoutRequestDto, @Req() req: AuthedRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendStored(reply, await this.billing.checkout(accountId, body.pack_id, idempotencyOf(req, body)));
  }

  @Get('payments')
  @ApiSecurity('bearer')
  @ApiSecurity('apiKey')
  @ApiOperation({ operationId: 'listPayments', summary: 'Your checkouts and their state', description: 'Newest first, cursor-paginated.' })
  @ApiOkResponse({ type: PaymentPageDto })
  @AuthedEndpoint('billing', { 422: true })
  async payments(@AccountId() accountId: string, @Query() q: PageQueryDto): Promise<PaymentPageDto> {
    const page = await this.billing.payments(accountId, q.cursor, q.limit ?? 50);
    return {
      data: page.rows.map((c) => ({
        session_id: c.id,
        pack_id: c.packId,
        credits: c.credits,
        amount: c.amount,
        currency: c.currency,
        status: c.status,
        amount_refunded: c.amountRefunded,
        amount_disputed: c.amountDisputed,
        credits_reversed: c.creditsReversed,
        created_at: c.createdAt.toISOString(),
        paid_at: c.paidAt?.toISOString() ?? null,
      })),
      next_cursor: page.next_cursor,
    };
  }

  @Post('stripe-webhook')
  @Public()
  @HttpCode(200)
  // The signature covers the exact bytes Stripe sent: this route gets the body unparsed.
  @RouteConfig({ rawBody: true })
  @ApiOperation({
    operationId: 'receiveStripeEvent', security: [],
    summary: 'Stripe webhook endpoint (called by Stripe, not by API clients)',
    description:
      'No API key: the `Stripe-Signature` header is verified against the raw body with the webhook secret. Handles ' +
      '`checkout.session.completed` (when paid), `checkout.session.async_payment_succeeded`, `checkout.session.async_payment_failed`, ' +
      '`checkout.session.expired`, `charge.refunded` and `charge.dispute.created`; every other event is acknowledged and ignored. ' +
      'Each event id is processed once.',
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 'Set by Stripe' })
  @ApiBody({ description: 'A Stripe event, as Stripe sent it', schema: { type: 'object', additionalProperties: true } })
  @ApiOkResponse({ type: WebhookReceiptDto })
  @PublicEndpoint({ 400: 'Missing, forged or stale signature (`invalid_signature`); nothing changed', 503: 'Billing is not configured (`billing_unavailable`)' })
  async webhook(@Req() req: FastifyRequest): Promise<WebhookReceiptDto> {
    if (!Buffer.isBuffer(req.body)) throw new AppError('invalid_signature', 'The body must be the JSON event Stripe sent');
    const header = req.headers['stripe-signature'];
    const processed = await this.billing.receive(req.body, Array.isArray(header) ? header[0] : header);
    return { received: true, event_id: processed.event_id, outcome: processed.outcome };
  }
}

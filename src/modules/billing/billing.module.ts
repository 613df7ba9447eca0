import { Module } from '@nestjs/common';
import { LedgerModule } from '../../core/ledger/ledger.module.js';
import { BillingController } from './billing.controller.js';
import { BillingRepository } from './billing.repository.js';
import { BillingService } from './billing.service.js';

/** GET /v1/billing/packs, checkout, payments and the Stripe webhook: credit packs bought through Stripe Checkout. */
@Module({
  imports: [LedgerModule],
  controllers: [BillingController],
  providers: [BillingService, BillingRepository],
})
export class BillingModule {}

import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChargesRepository } from './charges.repository.js';
import { CreditsRepository } from './credits.repository.js';
import { IdempotencyRepository } from './idempotency.repository.js';
import { JobSettlementRepository } from './job-settlement.repository.js';
import { LedgerEntryEntity } from './ledger-entry.entity.js';

/** Every write that moves credits: charges, credits, settlements, and the idempotency records charges keep. */
@Module({
  imports: [TypeOrmModule.forFeature([LedgerEntryEntity])],
  providers: [ChargesRepository, CreditsRepository, IdempotencyRepository, JobSettlementRepository],
  exports: [ChargesRepository, CreditsRepository, IdempotencyRepository, JobSettlementRepository],
})
export class LedgerModule {}

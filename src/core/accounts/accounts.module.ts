import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyAuthenticator } from '../../platform/http/api-key.guard.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { AccountController } from './account.controller.js';
import { AccountRepository } from './account.repository.js';
import { AccountsService } from './accounts.service.js';
import { AccountEntity } from './account.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { UsageRepository } from './usage.repository.js';

/** Accounts, API keys, balances and the ledger as the account sees it. */
@Module({
  imports: [LedgerModule, TypeOrmModule.forFeature([AccountEntity, ApiKeyEntity])],
  controllers: [AccountController],
  providers: [AccountRepository, UsageRepository, AccountsService, { provide: ApiKeyAuthenticator, useExisting: AccountsService }],
  exports: [AccountsService, ApiKeyAuthenticator],
})
export class AccountsModule {}

import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { WebhooksModule } from '../webhooks/webhooks.module.js';
import { BatchController } from './batch.controller.js';
import { BatchRepository } from './batch.repository.js';
import { BatchesService } from './batches.service.js';

/** Batches of one operation: items planned by that operation's module, charged in one statement. */
@Module({
  imports: [JobsModule, LedgerModule, WebhooksModule],
  controllers: [BatchController],
  providers: [BatchRepository, BatchesService],
  exports: [BatchesService],
})
export class BatchesModule {}

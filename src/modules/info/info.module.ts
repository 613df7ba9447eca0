import { Module } from '@nestjs/common';
import { LedgerModule } from '../../core/ledger/ledger.module.js';
import { InfoController } from './info.controller.js';
import { InfoService } from './info.service.js';

/** GET/POST /v1/info: synchronous metadata, charged unless cached. Exports the info lookup other operations plan with. */
@Module({
  imports: [LedgerModule],
  controllers: [InfoController],
  providers: [InfoService],
  exports: [InfoService],
})
export class InfoModule {}

import { Module } from '@nestjs/common';
import { JobsModule } from '../../core/jobs/jobs.module.js';
import { LedgerModule } from '../../core/ledger/ledger.module.js';
import { UploadsModule } from '../../core/uploads/uploads.module.js';
import { DownloadModule } from '../download/index.js';
import { InfoModule } from '../info/index.js';
import { TranscribeController } from './transcribe.controller.js';
import { TranscribeHandler } from './transcribe.handler.js';
import { TranscribeService } from './transcribe.service.js';
import { TranscriberService } from './transcriber.service.js';
import { TranscriptRepository } from './transcript.repository.js';

/** POST /v1/transcribe and finished transcripts in any format. Exports planning and the transcriber for translation. */
@Module({
  imports: [JobsModule, LedgerModule, UploadsModule, InfoModule, DownloadModule],
  controllers: [TranscribeController],
  providers: [TranscribeService, TranscribeHandler, TranscriberService, TranscriptRepository],
  exports: [TranscribeService, TranscriberService],
})
export class TranscribeModule {}

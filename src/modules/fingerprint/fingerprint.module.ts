import { Module } from '@nestjs/common';
import { JobsModule } from '../../core/jobs/jobs.module.js';
import { UploadsModule } from '../../core/uploads/uploads.module.js';
import { DownloadModule } from '../download/index.js';
import { FingerprintController } from './fingerprint.controller.js';
import { FingerprintHandler } from './fingerprint.handler.js';
import { FingerprintRepository } from './fingerprint.repository.js';
import { FingerprintService } from './fingerprint.service.js';

/** POST /v1/fingerprint, compare and search: per-second video hashes, Chromaprint, and the account's library. */
@Module({
  imports: [JobsModule, UploadsModule, DownloadModule],
  controllers: [FingerprintController],
  providers: [FingerprintService, FingerprintHandler, FingerprintRepository],
})
export class FingerprintModule {}

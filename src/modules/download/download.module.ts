import { Module } from '@nestjs/common';
import { BatchesModule } from '../../core/batches/batches.module.js';
import { JobsModule } from '../../core/jobs/jobs.module.js';
import { UploadsModule } from '../../core/uploads/uploads.module.js';
import { DownloadController } from './download.controller.js';
import { DownloadHandler } from './download.handler.js';
import { DownloadService } from './download.service.js';
import { MediaSourceService } from './media-source.service.js';

/** POST /v1/download (and batches of it). Exports the media source every media operation starts from. */
@Module({
  imports: [JobsModule, UploadsModule, BatchesModule],
  controllers: [DownloadController],
  providers: [DownloadService, DownloadHandler, MediaSourceService],
  exports: [MediaSourceService],
})
export class DownloadModule {}

import { Module } from '@nestjs/common';
import { JobsModule } from '../../core/jobs/jobs.module.js';
import { UploadsModule } from '../../core/uploads/uploads.module.js';
import { DownloadModule } from '../download/index.js';
import { InfoModule } from '../info/index.js';
import { PreviewSourceService } from './preview-source.service.js';
import { PreviewController } from './preview.controller.js';
import { PreviewHandler } from './preview.handler.js';
import { PreviewService } from './preview.service.js';

/** POST /v1/preview: thumbnails, GIFs, mosaics, clips, storyboards and waveforms. */
@Module({
  imports: [JobsModule, UploadsModule, InfoModule, DownloadModule],
  controllers: [PreviewController],
  providers: [PreviewService, PreviewHandler, PreviewSourceService],
})
export class PreviewModule {}

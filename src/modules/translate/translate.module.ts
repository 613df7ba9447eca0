import { Module } from '@nestjs/common';
import { JobsModule } from '../../core/jobs/jobs.module.js';
import { TranscribeModule } from '../transcribe/index.js';
import { TranslateController } from './translate.controller.js';
import { TranslateHandler } from './translate.handler.js';
import { TranslateService } from './translate.service.js';

/** POST /v1/translate and GET /v1/languages. */
@Module({
  imports: [JobsModule, TranscribeModule],
  controllers: [TranslateController],
  providers: [TranslateService, TranslateHandler],
})
export class TranslateModule {}

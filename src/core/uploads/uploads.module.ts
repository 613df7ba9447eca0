import { Module } from '@nestjs/common';
import { UploadRepository } from './upload.repository.js';
import { UploadsController } from './uploads.controller.js';
import { UploadsService } from './uploads.service.js';

/** Customers' own files, usable as `upload_id` wherever a URL is accepted. */
@Module({
  controllers: [UploadsController],
  providers: [UploadRepository, UploadsService],
  exports: [UploadsService],
})
export class UploadsModule {}

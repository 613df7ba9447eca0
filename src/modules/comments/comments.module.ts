import { Module } from '@nestjs/common';
import { JobsModule } from '../../core/jobs/jobs.module.js';
import { CommentsController } from './comments.controller.js';
import { CommentsHandler } from './comments.handler.js';
import { CommentsRepository } from './comments.repository.js';
import { CommentsService } from './comments.service.js';

/** POST /v1/comments and GET /v1/jobs/{id}/comments: threaded comments of a video, paged. */
@Module({
  imports: [JobsModule],
  controllers: [CommentsController],
  providers: [CommentsService, CommentsHandler, CommentsRepository],
})
export class CommentsModule {}

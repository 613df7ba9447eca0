import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobAcceptedDto } from '../../core/jobs/dto/jobs.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { CommentsService } from './comments.service.js';
import { CommentsJobDto } from './dto/comments-job.dto.js';
import { CommentsPageDto, CommentsPageQueryDto, CommentsRequestDto } from './dto/comments.dto.js';

@ApiTags('comments')
@ApiExtraModels(CommentsJobDto)
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1')
export class CommentsController {
  constructor(@Inject(CommentsService) private readonly comments: CommentsService) {}

  @Post('comments')
  @HttpCode(202)
  @RateClassOf('jobs')
  @ApiOperation({
    operationId: 'createComments',
    summary: 'Fetch the comments of a video, in threads',
    description:
      'Creates a job that reserves 1 credit per started 1,000 of `max_comments` and is settled to what it returns (never less than 1,000’s ' +
      'price). The result is `{comment_count (what the site says it has), comments_available, returned, threads, sort, comments_file}` ' +
      'and a JSON file (`kind` comments) with every comment returned; page through them with GET /v1/jobs/{id}/comments. A site or a ' +
      'video without comments completes with `returned: 0` and `comments_available: false`; a page that is not a video fails ' +
      '(`unsupported_url`) and is refunded.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('jobs:write', {
    402: true,
    409: true,
    422: 'Invalid request (`validation_failed`: max_comments over MAX_COMMENTS, an unknown sort, an upload_id), or a URL that cannot be read: `unsupported_url`, `url_not_allowed`',
  })
  async create(@AccountId() accountId: string, @Body() body: CommentsRequestDto, @Req() req: AuthedRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendStored(reply, await this.comments.submit(accountId, body, idempotencyOf(req, body)));
  }

  @Get('jobs/:id/comments')
  @ApiOperation({
    operationId: 'listJobComments',
    summary: 'A page of a comments job’s comments',
    description: 'In the job’s order (threads as sorted, each reply after its parent), `limit` at a time; follow `next_cursor` until it is null. Free.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: CommentsPageDto })
  @AuthedEndpoint('jobs:read', { 404: 'No such comments job of this account (`not_found`)', 409: 'The job has not completed (`conflict`)', 422: true })
  list(@AccountId() accountId: string, @Param('id') id: string, @Query() q: CommentsPageQueryDto) {
    return this.comments.page(accountId, id, q.cursor, q.limit);
  }
}

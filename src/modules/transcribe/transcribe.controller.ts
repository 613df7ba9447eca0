import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, getSchemaPath, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobAcceptedDto } from '../../core/jobs/dto/jobs.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { TranscribeJobDto, TranscriptDto } from './dto/transcribe-job.dto.js';
import { TranscribeRequestDto, TranscriptQueryDto } from './dto/transcribe.dto.js';
import { TranscribeService } from './transcribe.service.js';

@ApiTags('transcripts')
@ApiExtraModels(TranscribeJobDto, TranscriptDto)
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1')
export class TranscribeController {
  constructor(@Inject(TranscribeService) private readonly transcriptions: TranscribeService) {}

  @Post('transcribe')
  @HttpCode(202)
  @RateClassOf('jobs')
  @ApiOperation({
    operationId: 'createTranscription',
    summary: 'Transcribe a URL or an upload',
    description:
      'Creates a job whose result is `{language, source, provider, duration, text, segments: [{start, end, text, words?}]}` plus a ' +
      'file in `format`. Captions cost the base price (3); speech recognition costs 1 per started minute (at least 3), ' +
      'reserved at submit from the media duration and settled at completion — never more than reserved. A transcript the ' +
      'account already owns (same source, language and provider) costs 0.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('jobs:write', {
    402: true,
    404: 'No such upload (`not_found`)',
    409: true,
    413: true,
    422:
      'Invalid request (`validation_failed` with `errors`), a URL that cannot be read (`unsupported_url`, `url_not_allowed`, ' +
      '`media_unavailable`, `media_too_long`), no captions in the language with `source: captions`, or a language speech ' +
      'recognition does not handle here (`unsupported_language`)',
    502: 'The site failed while planning the transcript (`upstream_failed`)',
  })
  async create(
    @AccountId() accountId: string,
    @Body() body: TranscribeRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendStored(reply, await this.transcriptions.submit(accountId, body, idempotencyOf(req, body)));
  }

  @Get('jobs/:id/transcript')
  @ApiOperation({
    operationId: 'getTranscript',
    summary: 'A finished transcript in any format',
    description: 'Renders the stored transcript of a completed transcribe or translate job as json, srt, vtt or txt; no new job, free.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({
    description: 'The transcript in `format`',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(TranscriptDto) } },
      'application/x-subrip': { schema: { type: 'string' }, example: '1\n00:00:00,000 --> 00:00:02,500\nHello and welcome.\n' },
      'text/vtt': { schema: { type: 'string' }, example: 'WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nHello and welcome.\n' },
      'text/plain': { schema: { type: 'string' }, example: 'Hello and welcome.\n' },
    },
  })
  @AuthedEndpoint('jobs:read', {
    404: 'No such transcribe or translate job of yours (`not_found`)',
    409: 'The job has not completed, or its transcript is gone (`conflict`)',
    422: 'No or an unknown `format` (`validation_failed`)',
  })
  async transcript(
    @AccountId() accountId: string,
    @Param('id') id: string,
    @Query() q: TranscriptQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const { body, contentType } = await this.transcriptions.render(accountId, id, q.format);
    void reply.header('content-type', contentType);
    return body;
  }
}

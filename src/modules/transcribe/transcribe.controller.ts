import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobAcceptedDto } from '../../core/jobs/dto/jobs.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { TranscribeRequestDto, TranscriptQueryDto } from './dto/transcribe.dto.js';
import { TranscribeService } from './transcribe.service.js';

@ApiTags('transcripts')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1')
export class TranscribeController {
  constructor(@Inject(TranscribeService) private readonly transcriptions: TranscribeService) {}

  @Post('transcribe')
  @HttpCode(202)
  @RateClassOf('jobs')
  @ApiOperation({
    summary: 'Transcribe a URL or an upload',
    description:
      'Creates a job whose result is `{language, source, provider, duration, text, segments: [{start, end, text, words?}]}` plus a ' +
      'file in `format`. Captions cost the base price (3); speech recognition costs 1 per started minute (at least 3), ' +
      'reserved at submit from the media duration and settled at completion — never more than reserved. A transcript the ' +
      'account already owns (same source, language and provider) costs 0.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint(402, 404, 409, 422, 502, 503)
  async create(
    @AccountId() accountId: string,
    @Body() body: TranscribeRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendStored(reply, await this.transcriptions.submit(accountId, body, idempotencyOf(req, body)));
  }

  @Get('jobs/:id/transcript')
  @ApiOperation({ summary: 'A finished transcript in any format', description: 'Renders the stored transcript as json, srt, vtt or txt; no new job, free.' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiProduces('application/json', 'application/x-subrip', 'text/vtt', 'text/plain')
  @ApiOkResponse({ description: 'The transcript' })
  @AuthedEndpoint(404, 409, 422)
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

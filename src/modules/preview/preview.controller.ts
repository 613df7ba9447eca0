import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobAcceptedDto } from '../../core/jobs/dto/jobs.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { PreviewJobDto } from './dto/preview-job.dto.js';
import { PreviewRequestDto } from './dto/preview.dto.js';
import { PreviewService } from './preview.service.js';

@ApiTags('preview')
@ApiExtraModels(PreviewJobDto)
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1/preview')
@RateClassOf('jobs')
export class PreviewController {
  constructor(@Inject(PreviewService) private readonly previews: PreviewService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'createPreview',
    summary: 'Make a preview: thumbnail, GIF, mosaic, clip, storyboard or waveform',
    description:
      'Creates a job (1 credit). A URL is read in place where it can be (ffmpeg seeks with range requests), so a frame at 1:30:00 of a ' +
      'two-hour video reads a few megabytes; streams of segments are fetched first. The result lists the files (`kind` image, ' +
      'animation, video or vtt, with their sizes in pixels and lengths) and the fields of the type: `timestamp`; `start`, `duration`, ' +
      '`fps`, `frames`; `timestamps`, `columns`, `rows`; `start` (actual), `requested_start`, `precision`; `interval`, `frames`, ' +
      '`sheets`; `peaks` (numbers 0–1, one per pixel of width). A failed preview is refunded.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('jobs:write', {
    402: true,
    404: 'No such upload (`not_found`)',
    409: true,
    422:
      'Invalid request (`validation_failed` with `errors`: a field the type does not take, a value out of range, a time past the end, ' +
      'both or neither of url and upload_id), or a source that cannot be previewed: `unsupported_url`, `url_not_allowed`, `media_unavailable` (e.g. a picture of audio only)',
  })
  async create(
    @AccountId() accountId: string,
    @Body() body: PreviewRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendStored(reply, await this.previews.submit(accountId, body, idempotencyOf(req, body)));
  }
}

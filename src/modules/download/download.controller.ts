import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobAcceptedDto } from '../../core/jobs/dto/jobs.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { DownloadService } from './download.service.js';
import { DownloadRequestDto } from './dto/download.dto.js';

@ApiTags('jobs')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1/download')
@RateClassOf('jobs')
export class DownloadController {
  constructor(@Inject(DownloadService) private readonly downloads: DownloadService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Download a video or its audio',
    description: 'Creates a job. 1 credit; 2 when it must re-encode (trim, mp3/wav/ogg/opus/flac, or an audio bitrate). Poll GET /v1/jobs/{id}.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint(402, 404, 409, 422, 503)
  async create(
    @AccountId() accountId: string,
    @Body() body: DownloadRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendStored(reply, await this.downloads.submit(accountId, body, idempotencyOf(req, body)));
  }
}

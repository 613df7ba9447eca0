import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobAcceptedDto } from '../../core/jobs/dto/jobs.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { DownloadService } from './download.service.js';
import { DownloadJobDto } from './dto/download-job.dto.js';
import { DownloadRequestDto } from './dto/download.dto.js';

@ApiTags('download')
@ApiExtraModels(DownloadJobDto)
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1/download')
@RateClassOf('jobs')
export class DownloadController {
  constructor(@Inject(DownloadService) private readonly downloads: DownloadService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    operationId: 'createDownload',
    summary: 'Download a video or its audio',
    description: 'Creates a job. 1 credit; 2 when it must re-encode (trim, mp3/wav/ogg/opus/flac, or an audio bitrate). Poll GET /v1/jobs/{id}.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('jobs:write', {
    402: true,
    404: 'No such upload (`not_found`)',
    409: true,
    413: true,
    422:
      'Invalid request (`validation_failed` with `errors`: e.g. both or neither of url and upload_id, trim.end ≤ trim.start), ' +
      'or a URL that cannot be downloaded: `unsupported_url`, `url_not_allowed` (a private address), `media_unavailable`, `media_too_long`',
  })
  async create(
    @AccountId() accountId: string,
    @Body() body: DownloadRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendStored(reply, await this.downloads.submit(accountId, body, idempotencyOf(req, body)));
  }
}

import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CONFIG, type Config } from '../../config.js';
import { checkDownloadRequest, DownloadRequestDto, JobAcceptedDto } from './dto/download.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { JobsService } from '../../core/jobs/jobs.service.js';
import { UploadsService } from '../../core/uploads/uploads.service.js';
import { UrlGuardService } from '../../platform/tools/url-guard.service.js';
import { priceDownload } from './download-pricing.js';
import { sendStored } from '../../platform/http/send-stored.js';

@ApiTags('jobs')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1/download')
@RateClassOf('jobs')
export class DownloadController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(UrlGuardService) private readonly guard: UrlGuardService,
    @Inject(UploadsService) private readonly uploads: UploadsService,
  ) {}

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
    checkDownloadRequest(body);
    const idem = idempotencyOf(req, body);
    if (body.url) await this.guard.check(body.url);
    else await this.uploads.owned(accountId, body.upload_id!);
    if (body.webhook_url) await this.guard.check(body.webhook_url);
    const input = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    return sendStored(reply, await this.jobs.submit(accountId, 'download', input, priceDownload(this.config.prices, body), idem));
  }
}

import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CONFIG, type Config } from '../config.js';
import { DownloadRequestDto, JobAcceptedDto } from '../dtos/download.dto.js';
import { AUDIO_FORMATS } from '../enum.js';
import { AppError } from '../errors.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../http/decorators.js';
import { idempotencyOf } from '../http/idempotency.js';
import { JobsService } from '../services/jobs.service.js';
import { UploadsService } from '../services/uploads.service.js';
import { UrlGuardService } from '../services/url-guard.service.js';
import { priceDownload } from '../utils/pricing.js';
import { sendStored } from './send-stored.js';

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

/** Rules between fields that decorators cannot express. */
export function checkDownloadRequest(body: DownloadRequestDto): void {
  const errors: Array<{ field: string; message: string }> = [];
  if (!body.url === !body.upload_id) errors.push({ field: 'url', message: 'give exactly one of url and upload_id' });
  if (body.trim && body.trim.end <= body.trim.start) errors.push({ field: 'trim.end', message: 'trim.end must be greater than trim.start' });
  const audio = body.audio_only || (body.format !== undefined && AUDIO_FORMATS.has(body.format));
  if (body.audio_only && body.format && !AUDIO_FORMATS.has(body.format)) {
    errors.push({ field: 'format', message: `audio_only needs an audio format, not ${body.format}` });
  }
  if (body.quality && /^\d+p$/.test(body.quality) && audio) errors.push({ field: 'quality', message: 'a video height makes no sense for audio; use e.g. 128k' });
  if (body.quality && /^\d+k$/.test(body.quality) && !audio) errors.push({ field: 'quality', message: 'an audio bitrate needs audio_only or an audio format' });
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
}

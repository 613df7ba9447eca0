import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JobAcceptedDto } from '../../core/jobs/dto/jobs.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { CompareRequestDto, CompareResponseDto, FingerprintDto, FingerprintRequestDto, SearchRequestDto, SearchResponseDto } from './dto/fingerprint.dto.js';
import { FingerprintJobDto } from './dto/fingerprint-job.dto.js';
import { FingerprintService } from './fingerprint.service.js';

@ApiTags('fingerprint')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@ApiExtraModels(FingerprintDto, FingerprintJobDto)
@Controller('v1/fingerprint')
export class FingerprintController {
  constructor(@Inject(FingerprintService) private readonly fingerprints: FingerprintService) {}

  @Post()
  @HttpCode(202)
  @RateClassOf('jobs')
  @ApiOperation({
    operationId: 'createFingerprint',
    summary: 'Fingerprint a video: a perceptual hash per second and the audio’s Chromaprint',
    description:
      'Creates a job (1 credit) whose result is `{duration, video: {algorithm: "phash-dct-64", version, interval: 1, hashes: [16 hex digits | null per second]}, ' +
      'audio: {algorithm: "chromaprint", version, item_duration, fingerprint (raw, base64), duration} | null}`. The fingerprint joins the ' +
      'account’s library when the job completes and leaves it when the job is deleted.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('jobs:write', {
    402: true,
    404: 'No such upload (`not_found`)',
    409: true,
    422: 'Invalid request (`validation_failed`: both or neither of url and upload_id), or a URL that cannot be fetched: `unsupported_url`, `url_not_allowed`',
  })
  async create(@AccountId() accountId: string, @Body() body: FingerprintRequestDto, @Req() req: AuthedRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendStored(reply, await this.fingerprints.submit(accountId, body, idempotencyOf(req, body)));
  }

  @Post('compare')
  @HttpCode(200)
  @RateClassOf('read')
  @ApiOperation({
    operationId: 'compareFingerprints',
    summary: 'Compare two fingerprints (free)',
    description:
      'Each side is a fingerprint job of this account or a fingerprint object. Finds the offset most seconds agree on and reports ' +
      'how much matched: `similarity` (matched seconds over the shorter side’s), `offset_seconds` (where b starts inside a), ' +
      'each side’s coverage and the matching runs, overall and per modality.',
  })
  @ApiOkResponse({ type: CompareResponseDto })
  @AuthedEndpoint('jobs:read', { 404: 'A side names no fingerprint job of this account, or a deleted one (`not_found`)', 422: 'A side is not a fingerprint (`validation_failed`, the field named in `errors`)' })
  compare(@AccountId() accountId: string, @Body() body: CompareRequestDto) {
    return this.fingerprints.compare(accountId, body.a, body.b);
  }

  @Post('search')
  @HttpCode(200)
  @RateClassOf('read')
  @ApiOperation({
    operationId: 'searchFingerprints',
    summary: 'Search the account’s fingerprint library (free)',
    description: 'Finds fingerprints of this account that share footage with a job’s or a given fingerprint (by video hashes), best first, with the offset and coverage of each.',
  })
  @ApiOkResponse({ type: SearchResponseDto })
  @AuthedEndpoint('jobs:read', { 404: 'No such fingerprint job of this account (`not_found`)', 422: 'Both or neither of job_id and fingerprint, or a fingerprint without video hashes (`validation_failed`)' })
  search(@AccountId() accountId: string, @Body() body: SearchRequestDto) {
    return this.fingerprints.search(accountId, body);
  }
}

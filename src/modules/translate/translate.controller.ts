import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CONFIG, type Config } from '../../config.js';
import { JobAcceptedDto } from '../../core/jobs/dto/jobs.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { sendStored } from '../../platform/http/send-stored.js';
import { TranscribeService } from '../transcribe/index.js';
import { TranslateJobDto } from './dto/translate-job.dto.js';
import { LanguagesDto, TranslateRequestDto } from './dto/translate.dto.js';
import { TranslateService } from './translate.service.js';

@ApiTags('transcripts')
@ApiExtraModels(TranslateJobDto)
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1')
export class TranslateController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(TranslateService) private readonly translations: TranslateService,
    @Inject(TranscribeService) private readonly transcriptions: TranscribeService,
  ) {}

  @Post('translate')
  @HttpCode(202)
  @RateClassOf('jobs')
  @ApiOperation({
    operationId: 'createTranslation',
    summary: 'Translate a transcript, keeping its timings',
    description:
      'From a URL or upload (transcribed first, captions first as in /v1/transcribe) or a finished transcription job. ' +
      'The result has the same segments and times as the transcript, in `target_language`. 4 credits from a transcription ' +
      'job or with captions; with speech recognition, the transcription price plus 1. Pairs not installed are refused ' +
      '(`unsupported_language`) before any charge; see GET /v1/languages.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('jobs:write', {
    402: true,
    404: 'No such upload or transcription job of yours (`not_found`)',
    409: 'The transcription job has not completed (`conflict`), or an Idempotency-Key reused with a different request',
    413: true,
    422:
      'Invalid request (`validation_failed` with `errors`: e.g. not exactly one of url, upload_id and transcript_job_id), a URL ' +
      'that cannot be read (`unsupported_url`, `url_not_allowed`, `media_unavailable`, `media_too_long`), or a language pair not ' +
      'installed (`unsupported_language`)',
    502: 'The site failed while planning the transcript (`upstream_failed`)',
  })
  async translate(
    @AccountId() accountId: string,
    @Body() body: TranslateRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendStored(reply, await this.translations.submit(accountId, body, idempotencyOf(req, body)));
  }

  @Get('languages')
  @ApiOperation({ operationId: 'listLanguages', summary: 'Languages each provider handles on this installation' })
  @ApiOkResponse({ type: LanguagesDto })
  @AuthedEndpoint('jobs:read')
  async languages(): Promise<LanguagesDto> {
    return {
      transcribe: { captions: 'any', speech: this.transcriptions.speechLanguages, speech_provider: this.config.speech.provider },
      translate: { pairs: await this.translations.pairs(), provider: this.config.translateProvider },
    };
  }
}

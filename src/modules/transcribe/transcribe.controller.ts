import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CONFIG, type Config } from '../../config.js';
import { JobAcceptedDto } from '../download/dto/download.dto.js';
import { LanguagesDto, TranscribeRequestDto, TranscriptQueryDto, TranslateRequestDto } from './dto/transcribe.dto.js';
import { AppError } from '../../errors.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { TranscriptsService } from './transcribe.service.js';
import { sendStored } from '../../platform/http/send-stored.js';

@ApiTags('transcripts')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1')
export class TranscribeController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(TranscriptsService) private readonly transcripts: TranscriptsService,
  ) {}

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
    if (!body.url === !body.upload_id) {
      throw new AppError('validation_failed', 'give exactly one of url and upload_id', { errors: [{ field: 'url', message: 'give exactly one of url and upload_id' }] });
    }
    return sendStored(reply, await this.transcripts.submit(accountId, body, idempotencyOf(req, body)));
  }

  @Post('translate')
  @HttpCode(202)
  @RateClassOf('jobs')
  @ApiOperation({
    summary: 'Translate a transcript, keeping its timings',
    description:
      'From a URL or upload (transcribed first, captions first as in /v1/transcribe) or a finished transcription job. ' +
      'The result has the same segments and times as the transcript, in `target_language`. 4 credits from a transcription ' +
      'job or with captions; with speech recognition, the transcription price plus 1. Pairs not installed are refused ' +
      '(`unsupported_language`) before any charge; see GET /v1/languages.',
  })
  @ApiAcceptedResponse({ type: JobAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint(402, 404, 409, 422, 502, 503)
  async translate(
    @AccountId() accountId: string,
    @Body() body: TranslateRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if ([body.url, body.upload_id, body.transcript_job_id].filter(Boolean).length !== 1) {
      const message = 'give exactly one of url, upload_id and transcript_job_id';
      throw new AppError('validation_failed', message, { errors: [{ field: 'url', message }] });
    }
    return sendStored(reply, await this.transcripts.submitTranslate(accountId, body, idempotencyOf(req, body)));
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
    const { body, contentType } = await this.transcripts.render(accountId, id, q.format);
    void reply.header('content-type', contentType);
    return body;
  }

  @Get('languages')
  @ApiOperation({ summary: 'Languages each provider handles on this installation' })
  @ApiOkResponse({ type: LanguagesDto })
  @AuthedEndpoint()
  async languages(): Promise<LanguagesDto> {
    return {
      transcribe: { captions: 'any', speech: this.transcripts.speechLanguages, speech_provider: this.config.speech.provider },
      translate: { pairs: await this.transcripts.translationPairs(), provider: this.config.translateProvider },
    };
  }
}

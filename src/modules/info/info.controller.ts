import { Body, Controller, Get, HttpCode, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InfoRequestDto, InfoResponseDto } from './dto/info.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { InfoService } from './info.service.js';
import { sendStored } from '../../platform/http/send-stored.js';

const INFO_INVALID =
  '`validation_failed` (no or a malformed url), `unsupported_url` (no site yt-dlp knows), `url_not_allowed` (a private address), `media_unavailable` (private, removed or geo-blocked), `media_too_long`';

@ApiTags('info')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@Controller('v1/info')
@RateClassOf('info')
export class InfoController {
  constructor(@Inject(InfoService) private readonly info: InfoService) {}

  @Get()
  @ApiOperation({ operationId: 'getInfo', summary: 'Metadata of a video URL', description: 'Synchronous. 1 credit; 0 when served from cache.' })
  @ApiQuery({ name: 'url', required: true, description: 'Page or media URL' })
  @ApiOkResponse({ type: InfoResponseDto })
  @AuthedEndpoint('jobs:write', { 402: true, 414: 'The URL is too long for a query string: use POST /v1/info (`url_too_long`)', 422: INFO_INVALID, 502: 'The site failed or took too long (`upstream_failed`)' })
  async get(@AccountId() accountId: string, @Query() query: InfoRequestDto, @Res({ passthrough: true }) reply: FastifyReply) {
    return sendStored(reply, await this.info.infoFor(accountId, query.url, null));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ operationId: 'createInfo', summary: 'Metadata of a video URL (JSON body)', description: 'Same as GET, for long URLs. 1 credit; 0 when cached.' })
  @ApiBody({ type: InfoRequestDto })
  @ApiOkResponse({ type: InfoResponseDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('jobs:write', { 402: true, 409: true, 413: true, 422: INFO_INVALID, 502: 'The site failed or took too long (`upstream_failed`)' })
  async post(
    @AccountId() accountId: string,
    @Body() body: InfoRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendStored(reply, await this.info.infoFor(accountId, body.url, idempotencyOf(req, body)));
  }
}

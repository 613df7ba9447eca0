import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { BatchAcceptedDto, BatchDto, BatchRequestDto, BatchWebhookPayloadDto, MAX_BATCH_ITEMS } from './dto/batch.dto.js';
import { AccountId, AuthedEndpoint, IdempotentEndpoint, RateClassOf, type AuthedRequest } from '../../platform/http/decorators.js';
import { idempotencyOf } from '../../platform/http/idempotency.js';
import { BatchesService } from './batches.service.js';
import { sendStored } from '../../platform/http/send-stored.js';

@ApiTags('batches')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@ApiExtraModels(BatchWebhookPayloadDto)
@Controller('v1/batch')
export class BatchController {
  constructor(@Inject(BatchesService) private readonly batches: BatchesService) {}

  @Post()
  @HttpCode(202)
  @RateClassOf('jobs')
  @ApiOperation({
    operationId: 'createBatch',
    summary: `Submit up to ${MAX_BATCH_ITEMS} items for one operation`,
    description:
      'Every item is validated first (errors name `items[i].field`); then the total is charged in one transaction — all or nothing, ' +
      '402 with `required` and `available` when short. One job per item; failed items are refunded one by one. ' +
      '`batch.completed` (a `BatchWebhookPayload`) goes to webhook_url and the account endpoint when every job has ended.',
  })
  @ApiAcceptedResponse({ type: BatchAcceptedDto })
  @IdempotentEndpoint()
  @AuthedEndpoint('jobs:write', {
    402: 'Not enough credits for all the items; nothing was charged (`insufficient_credits`, with `required` and `available`)',
    404: 'An item names an upload that is not yours (`not_found`)',
    409: true,
    413: true,
    422: 'An item is invalid (`validation_failed`, with `errors` naming `items[i].field`), or an item’s URL cannot be used (`unsupported_url`, `url_not_allowed`)',
  })
  async create(
    @AccountId() accountId: string,
    @Body() body: BatchRequestDto,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return sendStored(reply, await this.batches.submit(accountId, body, idempotencyOf(req, body)));
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getBatch', summary: 'A batch: status, summary and its jobs' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: BatchDto })
  @AuthedEndpoint('jobs:read', { 404: 'No such batch of yours (`not_found`)' })
  get(@AccountId() accountId: string, @Param('id') id: string) {
    return this.batches.get(accountId, id);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiExtraModels, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  DeliveryDto, DeliveryListDto, EndpointDto, JobWebhookPayloadDto, ListDeliveriesQueryDto, PutEndpointDto, SecretDto,
  TestWebhookDto, TestWebhookPayloadDto, TestWebhookResultDto,
} from './dto/webhooks.dto.js';
import type { EndpointRow } from './webhook.repository.js';
import { AccountId, AuthedEndpoint, RateClassOf } from '../../platform/http/decorators.js';
import { WebhooksService } from './webhooks.service.js';

const endpointView = (e: EndpointRow): EndpointDto => ({
  url: e.url,
  events: e.events,
  created_at: e.created_at.toISOString(),
  updated_at: e.updated_at.toISOString(),
});

const SECRET_UNREADABLE =
  'The secret cannot be read on this installation (SIGNING_SECRET changed without SIGNING_SECRET_PREVIOUS): rotate it (`conflict`)';

const DELIVERY_DOC =
  'Deliveries are signed per Standard Webhooks (headers `webhook-id`, `webhook-timestamp`, `webhook-signature`) with ' +
  'the account secret; bodies are `JobWebhookPayload` (`job.completed`, `job.failed`, `job.progress`) or ' +
  '`TestWebhookPayload`. A 2xx within 10 s is success; anything else is retried with exponential backoff for ' +
  'more than 24 h with the same `webhook-id`. Redirects are not followed.';

@ApiTags('webhooks')
@ApiSecurity('bearer')
@ApiSecurity('apiKey')
@ApiExtraModels(JobWebhookPayloadDto, TestWebhookPayloadDto)
@Controller('v1/webhooks')
@RateClassOf('account')
export class WebhooksController {
  constructor(@Inject(WebhooksService) private readonly webhooks: WebhooksService) {}

  @Put('endpoint')
  @ApiOperation({ operationId: 'setWebhookEndpoint', summary: 'Set the account webhook endpoint', description: DELIVERY_DOC })
  @ApiOkResponse({ type: EndpointDto })
  @AuthedEndpoint('keys:manage', { 413: true, 422: 'Not an http(s) URL, a private address (`url_not_allowed`), or an unknown event (`validation_failed`)' })
  async put(@AccountId() accountId: string, @Body() body: PutEndpointDto): Promise<EndpointDto> {
    return endpointView(await this.webhooks.putEndpoint(accountId, body.url, body.events));
  }

  @Get('endpoint')
  @RateClassOf('read')
  @ApiOperation({ operationId: 'getWebhookEndpoint', summary: 'The account webhook endpoint' })
  @ApiOkResponse({ type: EndpointDto })
  @AuthedEndpoint('keys:manage', { 404: 'No endpoint is set (`not_found`)' })
  async get(@AccountId() accountId: string): Promise<EndpointDto> {
    return endpointView(await this.webhooks.getEndpoint(accountId));
  }

  @Delete('endpoint')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhookEndpoint', summary: 'Remove the account webhook endpoint' })
  @ApiNoContentResponse({ description: 'Removed' })
  @AuthedEndpoint('keys:manage', { 404: 'No endpoint is set (`not_found`)' })
  async remove(@AccountId() accountId: string): Promise<void> {
    await this.webhooks.deleteEndpoint(accountId);
  }

  @Get('secret')
  @RateClassOf('read')
  @ApiOperation({ operationId: 'getWebhookSecret', summary: 'The signing secret (whsec_…)', description: 'Created on first use.' })
  @ApiOkResponse({ type: SecretDto })
  @AuthedEndpoint('keys:manage', { 409: SECRET_UNREADABLE })
  async secret(@AccountId() accountId: string): Promise<SecretDto> {
    const s = await this.webhooks.activeSecrets(accountId);
    return { secret: s.current, previous_secret_expires_at: s.previousExpiresAt?.toISOString() ?? null };
  }

  @Post('secret/rotate')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'rotateWebhookSecret',
    summary: 'Rotate the signing secret',
    description: 'Returns the new secret. During the overlap (24 h by default) every delivery carries two signatures, one per secret, so receivers can switch without missing events.',
  })
  @ApiOkResponse({ type: SecretDto })
  @AuthedEndpoint('keys:manage')
  async rotate(@AccountId() accountId: string): Promise<SecretDto> {
    const s = await this.webhooks.rotateSecret(accountId);
    return { secret: s.current, previous_secret_expires_at: s.previousExpiresAt?.toISOString() ?? null };
  }

  @Get('deliveries')
  @RateClassOf('read')
  @ApiOperation({ operationId: 'listWebhookDeliveries', summary: 'Deliveries and every attempt', description: 'Newest first, cursor-paginated.' })
  @ApiOkResponse({ type: DeliveryListDto })
  @AuthedEndpoint('keys:manage', { 422: 'A filter or the cursor is invalid (`validation_failed` with `errors`)' })
  list(@AccountId() accountId: string, @Query() q: ListDeliveriesQueryDto) {
    return this.webhooks.page(accountId, { jobId: q.job_id, status: q.status }, q.cursor, q.limit ?? 50);
  }

  @Post('deliveries/:id/retry')
  @HttpCode(200)
  @ApiOperation({ operationId: 'retryWebhookDelivery', summary: 'Send a delivery again', description: 'For a failed (or delivered) delivery; starts a new series of attempts with the same webhook-id.' })
  @ApiParam({ name: 'id', example: 'msg_2Lq8uJ0hG1b7c' })
  @ApiOkResponse({ type: DeliveryDto })
  @AuthedEndpoint('keys:manage', { 404: 'No such delivery of yours (`not_found`)', 409: 'The delivery is still being attempted (`conflict`)' })
  retry(@AccountId() accountId: string, @Param('id') id: string) {
    return this.webhooks.retry(accountId, id);
  }

  @Post('test')
  @HttpCode(200)
  @ApiOperation({ operationId: 'testWebhook', summary: 'Send a webhook.test event now', description: 'One attempt, reported here and recorded as a delivery.' })
  @ApiOkResponse({ type: TestWebhookResultDto })
  @AuthedEndpoint('keys:manage', { 404: 'No url given and no endpoint set (`not_found`)', 409: SECRET_UNREADABLE, 413: true, 422: 'Not an http(s) URL, or a private address (`url_not_allowed`)' })
  test(@AccountId() accountId: string, @Body() body: TestWebhookDto) {
    return this.webhooks.test(accountId, body.url);
  }
}

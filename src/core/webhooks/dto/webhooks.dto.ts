import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString,  } from 'class-validator';


import { JOB_SCHEMA } from '../../jobs/dto/jobs.dto.js';
import type { JobView } from '../../jobs/jobs.service.js';
import { WEBHOOK_EVENTS, type WebhookEvent } from '../webhook-events.js';
import { IsHttpUrl } from '../../../platform/http/validators.js';
import { PageQueryDto } from '../../../platform/http/pagination.js';

export class PutEndpointDto {
  @ApiProperty({ example: 'https://example.com/hooks/mediary' })
  @IsHttpUrl('url', 2048)
  url: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENTS, isArray: true, default: ['job.completed', 'job.failed', 'batch.completed'], description: '`job.progress` is opt-in (sent at every 10 %)' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(WEBHOOK_EVENTS.length) @IsIn(WEBHOOK_EVENTS, { each: true })
  events?: WebhookEvent[];
}

export class EndpointDto {
  @ApiProperty() url: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true }) events: WebhookEvent[];
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class SecretDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Verify deliveries with this (any Standard Webhooks library)' })
  secret: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'Until then deliveries also carry a signature made with the previous secret' })
  previous_secret_expires_at: string | null;
}

export class TestWebhookDto {
  @ApiPropertyOptional({ description: 'Where to send the test event; default the account endpoint' })
  @IsOptional() @IsHttpUrl('url', 2048)
  url?: string;
}

export class TestWebhookResultDto {
  @ApiProperty() delivery_id: string;
  @ApiProperty() delivered: boolean;
  @ApiProperty({ nullable: true, type: Number }) status_code: number | null;
  @ApiProperty() latency_ms: number;
  @ApiProperty({ nullable: true, type: String }) response_excerpt: string | null;
  @ApiProperty({ nullable: true, type: String }) error: string | null;
}

export class ListDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsString() job_id?: string;
  @ApiPropertyOptional({ enum: ['pending', 'delivered', 'failed'] }) @IsOptional() @IsIn(['pending', 'delivered', 'failed']) status?: 'pending' | 'delivered' | 'failed';
}

export class AttemptDto {
  @ApiProperty({ format: 'date-time' }) attempted_at: string;
  @ApiProperty({ nullable: true, type: Number }) status_code: number | null;
  @ApiProperty() latency_ms: number;
  @ApiProperty({ nullable: true, type: String, description: 'First 500 characters of the reply' }) response_excerpt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why no reply arrived' }) error: string | null;
}

export class DeliveryDto {
  @ApiProperty({ example: 'msg_2Lq…', description: 'Also the `webhook-id` header, the same on every attempt' }) id: string;
  @ApiProperty({ example: 'job.completed' }) event_type: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) job_id: string | null;
  @ApiProperty() url: string;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'] }) status: string;
  @ApiProperty() attempt_count: number;
  @ApiProperty({ nullable: true, type: Number }) last_status_code: number | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) next_attempt_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) delivered_at: string | null;
  @ApiProperty({ type: [AttemptDto] }) attempts: AttemptDto[];
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto] }) data: DeliveryDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

/** The body of `job.completed`, `job.failed` and `job.progress` deliveries. */
export class JobWebhookPayloadDto {
  @ApiProperty({ enum: ['job.completed', 'job.failed', 'job.progress'] }) type: string;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ allOf: [{ $ref: getSchemaPath(JOB_SCHEMA) }], description: 'The job as GET /v1/jobs/{id} returns it' }) data: JobView;
}

/** The body of `webhook.test` deliveries. */
export class TestWebhookPayloadDto {
  @ApiProperty({ enum: ['webhook.test'] }) type: string;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ type: 'object', properties: { account_id: { type: 'string', format: 'uuid' }, message: { type: 'string' } } })
  data: { account_id: string; message: string };
}

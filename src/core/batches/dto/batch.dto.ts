import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional } from 'class-validator';
import { JOB_SCHEMA } from '../../jobs/dto/jobs.dto.js';
import type { JobView } from '../../jobs/jobs.service.js';
import { IsHttpUrl } from '../../../platform/http/validators.js';

/** Operations whose module plans batch items (see BatchesService.registerPlanner). */
export const BATCH_OPERATIONS = ['download'] as const;
export const MAX_BATCH_ITEMS = 100;

export class BatchRequestDto {
  @ApiProperty({ enum: BATCH_OPERATIONS, description: 'What every item does' })
  @IsIn(BATCH_OPERATIONS)
  operation: (typeof BATCH_OPERATIONS)[number];

  @ApiProperty({ type: 'array', items: { $ref: getSchemaPath('DownloadRequestDto') }, minItems: 1, maxItems: MAX_BATCH_ITEMS, description: 'One job each: `url` or `upload_id` plus any per-item options of the operation' })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_BATCH_ITEMS) @IsObject({ each: true })
  items: Array<Record<string, unknown>>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Options applied to every item unless the item sets them', example: { format: 'mp3' } })
  @IsOptional() @IsObject()
  defaults?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Receives batch.completed when every job has ended' })
  @IsOptional() @IsHttpUrl('webhook_url', 2048)
  webhook_url?: string;
}

export class BatchAcceptedDto {
  @ApiProperty({ format: 'uuid' }) batch_id: string;
  @ApiProperty({ enum: ['processing'] }) status: string;
  @ApiProperty() total: number;
  @ApiProperty({ description: 'The sum of the jobs’ prices, charged at once' }) credits_charged: number;
  @ApiProperty({ type: [String], description: 'In the order of items' }) job_ids: string[];
}

export class BatchSummaryDto {
  @ApiProperty() total: number;
  @ApiProperty() succeeded: number;
  @ApiProperty() failed: number;
  @ApiProperty() canceled: number;
  @ApiProperty({ description: 'Pending or processing' }) processing: number;
}

export class BatchDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: BATCH_OPERATIONS }) operation: string;
  @ApiProperty({ enum: ['processing', 'completed'], description: 'completed when every job has ended' }) status: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completed_at: string | null;
  @ApiProperty({ type: BatchSummaryDto }) summary: BatchSummaryDto;
  @ApiProperty() credits_charged: number;
  @ApiProperty() credits_refunded: number;
  @ApiProperty({ type: 'array', items: { $ref: getSchemaPath(JOB_SCHEMA) } }) jobs: JobView[];
}

/** The body of `batch.completed` deliveries. */
export class BatchWebhookPayloadDto {
  @ApiProperty({ enum: ['batch.completed'] }) type: string;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
  @ApiProperty({ type: BatchDto, description: 'The batch as GET /v1/batch/{id} returns it' }) data: BatchDto;
}

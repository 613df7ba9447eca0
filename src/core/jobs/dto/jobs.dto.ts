import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, MaxLength,  } from 'class-validator';
import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '../job-types.js';
import { PageQueryDto } from '../../../platform/http/pagination.js';

export class ListJobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES }) @IsOptional() @IsIn(JOB_STATUSES) status?: JobStatus;
  @ApiPropertyOptional({ enum: JOB_TYPES }) @IsOptional() @IsIn(JOB_TYPES) type?: JobType;
  @ApiPropertyOptional({ example: 'youtube' }) @IsOptional() @IsString() @MaxLength(64) platform?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after' }) @IsOptional() @IsDateString() created_after?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Created before' }) @IsOptional() @IsDateString() created_before?: string;
}

export class JobFileDto {
  @ApiProperty({ enum: ['media', 'subtitle', 'thumbnail', 'transcript', 'image', 'animation', 'video', 'vtt', 'comments'] }) kind: string;
  @ApiProperty() filename: string;
  @ApiProperty({ description: 'Signed link; expires at expires_at' }) url: string;
  @ApiProperty({ example: 'video/mp4' }) content_type: string;
  @ApiProperty({ description: 'Bytes' }) size: number;
  @ApiPropertyOptional({ description: 'Pictures and videos of a preview: width in pixels' }) width?: number;
  @ApiPropertyOptional({ description: 'Pictures and videos of a preview: height in pixels' }) height?: number;
  @ApiPropertyOptional({ description: 'Animations and videos of a preview: length in seconds' }) duration?: number;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
}

export class JobErrorDto {
  @ApiProperty({ example: 'media_unavailable' }) code: string;
  @ApiProperty() message: string;
}

export class JobResultDto {
  @ApiProperty({ type: [JobFileDto] }) files: JobFileDto[];
  @ApiProperty({ description: 'Outputs were deleted (retention or DELETE)' }) outputs_deleted: boolean;
  @ApiPropertyOptional({ nullable: true, type: String }) title?: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) duration?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) width?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) height?: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) vcodec?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) acodec?: string | null;
  @ApiPropertyOptional() format?: string;
  @ApiPropertyOptional() size?: number;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) metadata?: Record<string, unknown> | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) source?: Record<string, unknown>;
}

export class JobDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: JOB_TYPES }) type: JobType;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty({ nullable: true, type: String, example: 'youtube' }) platform: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The batch this job belongs to' }) batch_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) started_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completed_at: string | null;
  @ApiProperty() credits_charged: number;
  @ApiProperty() credits_refunded: number;
  @ApiProperty({ type: 'object', additionalProperties: true }) input: Record<string, unknown>;
  @ApiProperty({ type: JobResultDto, nullable: true }) result: JobResultDto | null;
  @ApiProperty({ type: JobErrorDto, nullable: true }) error: JobErrorDto | null;
}

export class JobListDto {
  @ApiProperty({ type: [JobDto] }) data: JobDto[];
  @ApiProperty({ nullable: true, type: String }) next_cursor: string | null;
}

export class JobAcceptedDto {
  @ApiProperty({ format: 'uuid' }) job_id: string;
  @ApiProperty({ enum: ['pending'] }) status: 'pending';
  @ApiProperty({ example: 1 }) credits_charged: number;
}

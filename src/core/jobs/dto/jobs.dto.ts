import { ApiProperty, ApiPropertyOptional, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { JOB_STATUSES, JOB_TYPES, type JobStatus, type JobType } from '../job-types.js';
import type { JobView } from '../jobs.service.js';
import { PageQueryDto } from '../../../platform/http/pagination.js';

export class ListJobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES }) @IsOptional() @IsIn(JOB_STATUSES) status?: JobStatus;
  @ApiPropertyOptional({ enum: JOB_TYPES }) @IsOptional() @IsIn(JOB_TYPES) type?: JobType;
  @ApiPropertyOptional({ example: 'youtube' }) @IsOptional() @IsString() @MaxLength(64) platform?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after' }) @IsOptional() @IsDateString() created_after?: string;
  @ApiPropertyOptional({ format: 'date-time', description: 'Created before' }) @IsOptional() @IsDateString() created_before?: string;
}

/** Kinds of output file a job can have. */
export const JOB_FILE_KINDS = ['media', 'subtitle', 'thumbnail', 'transcript', 'image', 'animation', 'video', 'vtt', 'comments'] as const;

export class JobFileDto {
  @ApiProperty({ enum: JOB_FILE_KINDS }) kind: (typeof JOB_FILE_KINDS)[number];
  @ApiProperty({ example: 'talk.mp4' }) filename: string;
  @ApiProperty({ format: 'uri', description: 'Signed link, no API key needed; expires at expires_at' }) url: string;
  @ApiProperty({ example: 'video/mp4' }) content_type: string;
  @ApiProperty({ type: 'integer', description: 'Bytes' }) size: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Pictures and videos of a preview: width in pixels' }) width?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Pictures and videos of a preview: height in pixels' }) height?: number;
  @ApiPropertyOptional({ description: 'Animations and videos of a preview: length in seconds' }) duration?: number;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
}

export class JobErrorDto {
  @ApiProperty({ example: 'media_unavailable', description: 'A problem code (see ProblemDto.code)' }) code: string;
  @ApiProperty({ example: 'The video is private' }) message: string;
}

/** What every completed job's result carries besides its operation's data. */
export class JobResultFilesDto {
  @ApiProperty({ type: [JobFileDto], description: 'Empty once the outputs were deleted' }) files: JobFileDto[];
  @ApiProperty({ description: 'Outputs were deleted (retention or DELETE)' }) outputs_deleted: boolean;
}

/**
 * The fields every job has. Each operation module declares `<Type>JobDto` extending this with
 * its `type` and `result`; `JobDto` is their union, told apart by `type` (see jobUnionSchema).
 */
export class JobBaseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100 }) progress: number;
  @ApiProperty({ nullable: true, type: String, example: 'youtube' }) platform: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The batch this job belongs to' }) batch_id: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) started_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completed_at: string | null;
  @ApiProperty({ type: 'integer' }) credits_charged: number;
  @ApiProperty({ type: 'integer' }) credits_refunded: number;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The request as accepted, with defaults filled in' }) input: Record<string, unknown>;
  @ApiProperty({ type: JobErrorDto, nullable: true, description: 'Why the job failed; null unless failed' }) error: JobErrorDto | null;
}

/** The schema name of one job type's job, e.g. `DownloadJobDto` for `download`. */
export const jobSchemaName = (type: JobType) => `${type[0]!.toUpperCase()}${type.slice(1)}JobDto`;

/** The name of the job union in components.schemas. */
export const JOB_SCHEMA = 'JobDto';

/** `JobDto`: one of the job types' schemas, chosen by `type`. */
export function jobUnionSchema(): SchemaObject {
  const refs = Object.fromEntries(JOB_TYPES.map((t) => [t, getSchemaPath(jobSchemaName(t))]));
  return {
    description: 'A job. `type` tells which operation made it, and so the shape of `input` and `result`.',
    oneOf: Object.values(refs).map(($ref) => ({ $ref })),
    discriminator: { propertyName: 'type', mapping: refs },
  };
}

export class JobListDto {
  @ApiProperty({ type: 'array', items: { $ref: getSchemaPath(JOB_SCHEMA) } }) data: JobView[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last' }) next_cursor: string | null;
}

/** The `data` of an SSE `job` event from GET /v1/jobs/{id}/events. */
export class JobEventDto {
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiPropertyOptional({ minimum: 0, maximum: 100 }) progress?: number;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Download speed, bytes per second' }) speed_bps?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) eta_seconds?: number | null;
  @ApiPropertyOptional({ type: JobErrorDto }) error?: JobErrorDto;
  @ApiPropertyOptional({ allOf: [{ $ref: getSchemaPath(JOB_SCHEMA) }], description: 'The whole job, on the final event only' }) job?: JobView;
}

export class JobAcceptedDto {
  @ApiProperty({ format: 'uuid', description: 'Follow it with GET /v1/jobs/{id}' }) job_id: string;
  @ApiProperty({ enum: ['pending'] }) status: 'pending';
  @ApiProperty({ type: 'integer', example: 1 }) credits_charged: number;
}

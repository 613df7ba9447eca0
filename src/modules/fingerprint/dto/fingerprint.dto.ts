import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { IsDefined, IsInt, IsNumber, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { IsHttpUrl, IsMetadata } from '../../../platform/http/validators.js';

export class FingerprintRequestDto {
  @ApiPropertyOptional({ description: 'Page or media URL of any site yt-dlp supports (or give upload_id)', example: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' })
  @IsOptional() @IsHttpUrl('url')
  url?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An upload from POST /v1/uploads, instead of url' })
  @IsOptional() @IsUUID('all', { message: 'upload_id must be an id from POST /v1/uploads' })
  upload_id?: string;

  @ApiPropertyOptional({ description: 'Receives job.completed or job.failed, signed per Standard Webhooks', example: 'https://example.com/hooks/mediary' })
  @IsOptional() @IsHttpUrl('webhook_url', 2048)
  webhook_url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Echoed back in the job result (at most 16 KB as JSON)', example: { order: 42 } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}

export class VideoFingerprintDto {
  @ApiProperty({ example: 'phash-dct-64' }) algorithm: string;
  @ApiProperty({ example: 1 }) version: number;
  @ApiProperty({ example: 1, description: 'Seconds between hashed frames' }) interval: number;
  @ApiProperty({ type: 'array', items: { type: 'string', pattern: '^[0-9a-f]{16}$', nullable: true }, description: 'One 64-bit hash per second; null for a frame with no detail' })
  hashes: Array<string | null>;
}

export class AudioFingerprintDto {
  @ApiProperty({ enum: ['chromaprint'] }) algorithm: 'chromaprint';
  @ApiProperty({ example: 1 }) version: number;
  @ApiProperty({ example: 0.123838, description: 'Seconds per item' }) item_duration: number;
  @ApiProperty({ description: 'Raw Chromaprint: little-endian uint32 items, base64' }) fingerprint: string;
  @ApiProperty() duration: number;
}

export class FingerprintDto {
  @ApiProperty({ type: Number, nullable: true }) duration: number | null;
  @ApiProperty({ type: VideoFingerprintDto, nullable: true }) video: VideoFingerprintDto | null;
  @ApiProperty({ type: AudioFingerprintDto, nullable: true }) audio: AudioFingerprintDto | null;
}

const REF = {
  oneOf: [{ type: 'string', format: 'uuid', description: 'A fingerprint job of this account' }, { $ref: getSchemaPath(FingerprintDto) }],
};

export class CompareRequestDto {
  @ApiProperty({ ...REF, description: 'A fingerprint job id of this account, or a fingerprint as a job returned it' })
  @IsDefined()
  a: unknown;

  @ApiProperty({ ...REF, description: 'The same, for the other side' })
  @IsDefined()
  b: unknown;
}

export class SearchRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A fingerprint job of this account to look for (or give fingerprint)' })
  @IsOptional() @IsUUID('all', { message: 'job_id must be a fingerprint job id' })
  job_id?: string;

  @ApiPropertyOptional({ type: FingerprintDto, description: 'A fingerprint as a job returned it (or give job_id)' })
  @IsOptional()
  fingerprint?: unknown;

  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: 50 })
  @IsOptional() @IsInt() @Min(1) @Max(50)
  limit?: number;

  @ApiPropertyOptional({ default: 0.5, minimum: 0, maximum: 1, description: 'Leave out matches below this similarity' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  min_similarity?: number;
}

export class MatchRunDto {
  @ApiProperty() a_start: number;
  @ApiProperty() a_end: number;
  @ApiProperty() b_start: number;
  @ApiProperty() b_end: number;
}

export class ComparisonDto {
  @ApiProperty({ description: 'Matched seconds over the shorter side’s: 1 when one is found whole in the other' }) similarity: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Where b starts inside a (negative: a starts inside b); null without a match' }) offset_seconds: number | null;
  @ApiProperty({ description: 'Share of a’s seconds that matched' }) a_coverage: number;
  @ApiProperty({ description: 'Share of b’s seconds that matched' }) b_coverage: number;
  @ApiProperty({ type: [MatchRunDto] }) matches: MatchRunDto[];
}

export class CompareResponseDto extends ComparisonDto {
  @ApiProperty({ type: [String], enum: ['video', 'audio'], description: 'What was compared: what both sides have' }) compared_on: string[];
  @ApiProperty({ type: ComparisonDto, nullable: true }) video: ComparisonDto | null;
  @ApiProperty({ type: ComparisonDto, nullable: true }) audio: ComparisonDto | null;
}

export class SearchMatchDto {
  @ApiProperty({ format: 'uuid' }) job_id: string;
  @ApiProperty() similarity: number;
  @ApiProperty({ type: Number, nullable: true }) offset_seconds: number | null;
  @ApiProperty() a_coverage: number;
  @ApiProperty() b_coverage: number;
  @ApiProperty({ type: 'object', properties: { url: { type: 'string', nullable: true }, upload_id: { type: 'string', nullable: true } } })
  source: { url: string | null; upload_id: string | null };
}

export class SearchResponseDto {
  @ApiProperty({ type: [SearchMatchDto] }) matches: SearchMatchDto[];
}

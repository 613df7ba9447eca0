import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../transcript-formats.js';
import { OneOfRequired } from '../../../platform/http/decorators.js';
import { IsHttpUrl, IsLanguageCode, IsMetadata } from '../../../platform/http/validators.js';

@OneOfRequired('url', 'upload_id')
export class TranscribeRequestDto {
  @ApiPropertyOptional({ description: 'Page or media URL (or give upload_id)', example: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' })
  @IsOptional() @IsHttpUrl('url')
  url?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An upload from POST /v1/uploads, instead of url' })
  @IsOptional() @IsUUID('all', { message: 'upload_id must be an id from POST /v1/uploads' })
  upload_id?: string;

  @ApiPropertyOptional({ example: 'en', description: 'Language of the speech / captions (ISO 639-1, optionally with a region). Default: the English or first caption track, else en' })
  @IsOptional() @IsLanguageCode('language', 'en or pt-BR')
  language?: string;

  @ApiPropertyOptional({ enum: ['auto', 'captions', 'asr'], default: 'auto', description: '`auto`: the site’s captions when it has them, else speech recognition; `captions` never falls back; `asr` always recognizes speech' })
  @IsOptional() @IsIn(['auto', 'captions', 'asr'])
  source?: 'auto' | 'captions' | 'asr';

  @ApiPropertyOptional({ enum: TRANSCRIPT_FORMATS, default: 'json', description: 'Format of the transcript file in the result' })
  @IsOptional() @IsIn(TRANSCRIPT_FORMATS)
  format?: TranscriptFormat;

  @ApiPropertyOptional({ enum: ['segment', 'word'], default: 'segment', description: '`word` adds per-word times (speech recognition)' })
  @IsOptional() @IsIn(['segment', 'word'])
  timestamps?: 'segment' | 'word';

  @ApiPropertyOptional({ maxLength: 120, description: 'Name of the transcript file, without extension' })
  @IsOptional() @IsString() @MaxLength(120)
  filename?: string;

  @ApiPropertyOptional({ description: 'Callback URL for job.completed / job.failed' })
  @IsOptional() @IsHttpUrl('webhook_url', 2048)
  webhook_url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Echoed back in the job result (at most 16 KB as JSON)' })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}

export class TranscriptQueryDto {
  @ApiProperty({ enum: TRANSCRIPT_FORMATS })
  @IsIn(TRANSCRIPT_FORMATS)
  format: TranscriptFormat;
}

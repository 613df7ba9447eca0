import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUrl, IsUUID, Matches, MaxLength } from 'class-validator';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../transcript-formats.js';
import { URL_OPTIONS } from '../../download/dto/download.dto.js';

export class TranscribeRequestDto {
  @ApiPropertyOptional({ description: 'Page or media URL (or give upload_id)', example: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' })
  @IsOptional() @IsString() @MaxLength(4096) @IsUrl(URL_OPTIONS, { message: 'url must be an absolute http(s) URL' })
  url?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An upload from POST /v1/uploads, instead of url' })
  @IsOptional() @IsUUID('all', { message: 'upload_id must be an id from POST /v1/uploads' })
  upload_id?: string;

  @ApiPropertyOptional({ example: 'en', description: 'Language of the speech / captions (ISO 639-1, optionally with a region). Default: the English or first caption track, else en' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, { message: 'language must be a language code such as en or pt-BR' })
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
  @IsOptional() @IsString() @MaxLength(2048) @IsUrl(URL_OPTIONS, { message: 'webhook_url must be an absolute http(s) URL' })
  webhook_url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Echoed back in the job result' })
  @IsOptional() @IsObject()
  metadata?: Record<string, unknown>;
}

export class TranscriptQueryDto {
  @ApiProperty({ enum: TRANSCRIPT_FORMATS })
  @IsIn(TRANSCRIPT_FORMATS)
  format: TranscriptFormat;
}

export class LanguagesDto {
  @ApiProperty({
    description: 'What transcription can do here: captions in any language a site offers, and speech recognition in these languages (`any` with an OpenAI-compatible server)',
    example: { captions: 'any', speech: ['en'], speech_provider: 'local' },
  })
  transcribe: { captions: 'any'; speech: string[] | 'any'; speech_provider: string };

  @ApiProperty({ description: 'Translation pairs installed here (`any` with an OpenAI-compatible server)', example: { pairs: ['en-es', 'es-en'], provider: 'local' } })
  translate: { pairs: string[] | 'any'; provider: string };
}

export class TranslateRequestDto {
  @ApiPropertyOptional({ description: 'Page or media URL (or upload_id, or transcript_job_id)' })
  @IsOptional() @IsString() @MaxLength(4096) @IsUrl(URL_OPTIONS, { message: 'url must be an absolute http(s) URL' })
  url?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An upload from POST /v1/uploads' })
  @IsOptional() @IsUUID('all', { message: 'upload_id must be an id from POST /v1/uploads' })
  upload_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A completed /v1/transcribe job of yours: translate its transcript' })
  @IsOptional() @IsUUID('all', { message: 'transcript_job_id must be a job id' })
  transcript_job_id?: string;

  @ApiProperty({ example: 'es', description: 'Language to translate into (ISO 639-1)' })
  @IsString() @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, { message: 'target_language must be a language code such as es' })
  target_language: string;

  @ApiPropertyOptional({ example: 'en', description: 'Language of the speech or captions, when it should not be detected' })
  @IsOptional() @IsString() @Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, { message: 'source_language must be a language code such as en' })
  source_language?: string;

  @ApiPropertyOptional({ enum: TRANSCRIPT_FORMATS, default: 'json' })
  @IsOptional() @IsIn(TRANSCRIPT_FORMATS)
  format?: TranscriptFormat;

  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional() @IsString() @MaxLength(120)
  filename?: string;

  @ApiPropertyOptional({ description: 'Callback URL for job.completed / job.failed' })
  @IsOptional() @IsString() @MaxLength(2048) @IsUrl(URL_OPTIONS, { message: 'webhook_url must be an absolute http(s) URL' })
  webhook_url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional() @IsObject()
  metadata?: Record<string, unknown>;
}

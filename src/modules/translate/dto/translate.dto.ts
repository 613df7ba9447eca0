import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { OneOfRequired } from '../../../platform/http/decorators.js';
import { IsHttpUrl, IsLanguageCode, IsMetadata } from '../../../platform/http/validators.js';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../../transcribe/index.js';

export class TranscribeLanguagesDto {
  @ApiProperty({ enum: ['any'], description: 'Captions: whatever languages a site offers' }) captions: 'any';
  @ApiProperty({
    oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string', enum: ['any'] }],
    example: ['en'],
    description: 'Languages speech recognition handles here (`any` with an OpenAI-compatible server)',
  })
  speech: string[] | 'any';
  @ApiProperty({ example: 'local' }) speech_provider: string;
}

export class TranslateLanguagesDto {
  @ApiProperty({
    oneOf: [{ type: 'array', items: { type: 'string' } }, { type: 'string', enum: ['any'] }],
    example: ['en-es', 'es-en'],
    description: 'Translation pairs installed here, `source-target` (`any` with an OpenAI-compatible server)',
  })
  pairs: string[] | 'any';
  @ApiProperty({ example: 'local' }) provider: string;
}

export class LanguagesDto {
  @ApiProperty({ type: TranscribeLanguagesDto, description: 'What transcription can do here' }) transcribe: TranscribeLanguagesDto;
  @ApiProperty({ type: TranslateLanguagesDto, description: 'What translation can do here' }) translate: TranslateLanguagesDto;
}

@OneOfRequired('url', 'upload_id', 'transcript_job_id')
export class TranslateRequestDto {
  @ApiPropertyOptional({ description: 'Page or media URL (or upload_id, or transcript_job_id)' })
  @IsOptional() @IsHttpUrl('url')
  url?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An upload from POST /v1/uploads' })
  @IsOptional() @IsUUID('all', { message: 'upload_id must be an id from POST /v1/uploads' })
  upload_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'A completed /v1/transcribe job of yours: translate its transcript' })
  @IsOptional() @IsUUID('all', { message: 'transcript_job_id must be a job id' })
  transcript_job_id?: string;

  @ApiProperty({ example: 'es', description: 'Language to translate into (ISO 639-1)' })
  @IsLanguageCode('target_language', 'es')
  target_language: string;

  @ApiPropertyOptional({ example: 'en', description: 'Language of the speech or captions, when it should not be detected' })
  @IsOptional() @IsLanguageCode('source_language', 'en')
  source_language?: string;

  @ApiPropertyOptional({ enum: TRANSCRIPT_FORMATS, default: 'json' })
  @IsOptional() @IsIn(TRANSCRIPT_FORMATS)
  format?: TranscriptFormat;

  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional() @IsString() @MaxLength(120)
  filename?: string;

  @ApiPropertyOptional({ description: 'Callback URL for job.completed / job.failed' })
  @IsOptional() @IsHttpUrl('webhook_url', 2048)
  webhook_url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}

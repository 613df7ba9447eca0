import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize, IsArray, IsBoolean, IsIn, IsNumber, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, Min, ValidateNested,
} from 'class-validator';

import { AppError } from '../../../errors.js';
import { FORMAT_ID } from '../download-args.js';
import { AUDIO_FORMATS, DOWNLOAD_FORMATS, type DownloadFormat } from '../download-formats.js';
import { OneOfRequired } from '../../../platform/http/decorators.js';
import { IsHttpUrl, IsMetadata, LANGUAGE_CODE } from '../../../platform/http/validators.js';
export const QUALITY = /^(best|worst|\d{3,4}p|\d{2,3}k)$/;

export class TrimDto {
  @ApiProperty({ description: 'Start, in seconds from the beginning', example: 10, minimum: 0 })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0)
  start: number;

  @ApiProperty({ description: 'End, in seconds from the beginning (greater than start)', example: 25 })
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0)
  end: number;
}

@OneOfRequired('url', 'upload_id')
export class DownloadRequestDto {
  @ApiPropertyOptional({ description: 'Page or media URL of any site yt-dlp supports (or give upload_id)', example: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' })
  @IsOptional() @IsHttpUrl('url')
  url?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An upload from POST /v1/uploads, instead of url' })
  @IsOptional() @IsUUID('all', { message: 'upload_id must be an id from POST /v1/uploads' })
  upload_id?: string;

  @ApiPropertyOptional({ enum: DOWNLOAD_FORMATS, default: 'mp4', description: 'Output container; audio formats imply audio_only' })
  @IsOptional() @IsIn(DOWNLOAD_FORMATS)
  format?: DownloadFormat;

  @ApiPropertyOptional({
    description: '`best`, `worst`, a maximum height such as `720p`, or an audio bitrate such as `128k`',
    example: '720p', default: 'best', pattern: QUALITY.source,
  })
  @IsOptional() @IsString() @Matches(QUALITY, { message: 'quality must be best, worst, <height>p or <kbps>k' })
  quality?: string;

  @ApiPropertyOptional({ description: 'An exact yt-dlp format id from /v1/info (overrides quality), or `video+audio`', example: '137+140' })
  @IsOptional() @IsString() @MaxLength(100) @Matches(FORMAT_ID, { message: 'format_id must be a format id from /v1/info' })
  format_id?: string;

  @ApiPropertyOptional({ default: false, description: 'Audio only (m4a unless format says otherwise)' })
  @IsOptional() @IsBoolean()
  audio_only?: boolean;

  @ApiPropertyOptional({ type: TrimDto, description: 'Cut to [start, end) seconds (re-encodes: priced as a re-encode)' })
  @IsOptional() @IsObject() @ValidateNested() @Type(() => TrimDto)
  trim?: TrimDto;

  @ApiPropertyOptional({ default: false, description: 'Also return the thumbnail as a jpg file' })
  @IsOptional() @IsBoolean()
  include_thumbnail?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['en', 'es'], description: 'Subtitle languages to return as WebVTT files' })
  @IsOptional() @IsArray() @ArrayMaxSize(10) @IsString({ each: true }) @Matches(LANGUAGE_CODE, { each: true })
  subtitles?: string[];

  @ApiPropertyOptional({ description: 'Name of the output file, without extension', example: 'my-video', maxLength: 120 })
  @IsOptional() @IsString() @MaxLength(120)
  filename?: string;

  @ApiPropertyOptional({ description: 'Receives job.completed or job.failed, signed per Standard Webhooks', example: 'https://example.com/hooks/mediary' })
  @IsOptional() @IsHttpUrl('webhook_url', 2048)
  webhook_url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Echoed back in the job result (at most 16 KB as JSON)', example: { order: 42 } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}

/** Rules between fields that decorators cannot express. */
export function checkDownloadRequest(body: DownloadRequestDto): void {
  const errors: Array<{ field: string; message: string }> = [];
  if (!body.url === !body.upload_id) errors.push({ field: 'url', message: 'give exactly one of url and upload_id' });
  if (body.trim && body.trim.end <= body.trim.start) errors.push({ field: 'trim.end', message: 'trim.end must be greater than trim.start' });
  // Every stream at once would download (and be charged) as one: not offered.
  if (body.format_id && /^(all|mergeall)$|\+(all|mergeall)$|^(all|mergeall)\+/.test(body.format_id)) {
    errors.push({ field: 'format_id', message: 'format_id must name formats from /v1/info, not all of them' });
  }
  if (body.subtitles?.some((l) => l.toLowerCase() === 'all')) errors.push({ field: 'subtitles', message: 'name the subtitle languages you want, not all' });
  const audio = body.audio_only || (body.format !== undefined && AUDIO_FORMATS.has(body.format));
  if (body.audio_only && body.format && !AUDIO_FORMATS.has(body.format)) {
    errors.push({ field: 'format', message: `audio_only needs an audio format, not ${body.format}` });
  }
  if (body.quality && /^\d+p$/.test(body.quality) && audio) errors.push({ field: 'quality', message: 'a video height makes no sense for audio; use e.g. 128k' });
  if (body.quality && /^\d+k$/.test(body.quality) && !audio) errors.push({ field: 'quality', message: 'an audio bitrate needs audio_only or an audio format' });
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
}

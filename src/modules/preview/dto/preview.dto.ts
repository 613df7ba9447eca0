import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';
import { IsHttpUrl, IsMetadata } from '../../../platform/http/validators.js';
import { HEX_COLOR, PREVIEW_FORMATS, PREVIEW_LIMITS as L } from '../preview-plan.js';
import { PREVIEW_TYPES, type PreviewType } from '../preview.job.js';

const ALL_FORMATS = [...new Set(Object.values(PREVIEW_FORMATS).flat())];
const finite = { allowNaN: false, allowInfinity: false };

/**
 * POST /v1/preview. One request schema for every type; each field says which types take it,
 * and a field given to a type that does not take it is refused (422), as is any value out of range.
 */
export class PreviewRequestDto {
  @ApiPropertyOptional({ description: 'Page or media URL of any site yt-dlp supports (or give upload_id)', example: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' })
  @IsOptional() @IsHttpUrl('url')
  url?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'An upload from POST /v1/uploads, instead of url' })
  @IsOptional() @IsUUID('all', { message: 'upload_id must be an id from POST /v1/uploads' })
  upload_id?: string;

  @ApiProperty({
    enum: PREVIEW_TYPES,
    description:
      '`thumbnail` one frame; `gif` a short looping animation; `mosaic` a contact sheet of frames spread over the media; ' +
      '`clip` a short video with sound; `storyboard` sprite sheets plus a WebVTT track for player scrubbing; `waveform` audio peaks and their picture',
  })
  @IsIn(PREVIEW_TYPES)
  type: PreviewType;

  @ApiPropertyOptional({ description: 'thumbnail: the frame’s time in seconds (default 25 % of the duration)', minimum: 0, example: 12.5 })
  @IsOptional() @IsNumber(finite) @Min(0)
  timestamp?: number;

  @ApiPropertyOptional({ description: 'gif (default 25 % of the duration), clip (default 0): where the window starts, in seconds', minimum: 0, example: 30 })
  @IsOptional() @IsNumber(finite) @Min(0)
  start?: number;

  @ApiPropertyOptional({
    description: `gif (default ${L.gif.defaultDuration}, at most ${L.gif.maxDuration}), clip (default ${L.clip.defaultDuration}, at most ${L.clip.maxDuration}): the window’s length in seconds`,
    minimum: 0.1, example: 5,
  })
  @IsOptional() @IsNumber(finite)
  duration?: number;

  @ApiPropertyOptional({ description: `gif: frames per second (default ${L.gif.defaultFps})`, minimum: 1, maximum: L.gif.maxFps })
  @IsOptional() @IsInt()
  fps?: number;

  @ApiPropertyOptional({
    description:
      `Width in pixels, keeping the aspect ratio — thumbnail (default the source’s, at most ${L.thumbnailMaxWidth}), gif (default ${L.gif.defaultWidth}, at most ${L.gif.maxWidth}), ` +
      `mosaic: the whole sheet (default ${L.mosaic.defaultWidth}, at most ${L.mosaic.maxWidth}), waveform (default ${L.waveform.defaultWidth}, at most ${L.waveform.maxWidth}; also the number of peaks)`,
    minimum: L.minWidth,
  })
  @IsOptional() @IsInt()
  width?: number;

  @ApiPropertyOptional({ description: `waveform: height in pixels (default ${L.waveform.defaultHeight}, at most ${L.waveform.maxHeight})`, minimum: L.minWidth })
  @IsOptional() @IsInt()
  height?: number;

  @ApiPropertyOptional({
    enum: ALL_FORMATS,
    description: Object.entries(PREVIEW_FORMATS).map(([type, formats]) => `${type}: ${formats.join(' | ')}`).join('; ') + ' (the first is the default)',
  })
  @IsOptional() @IsString()
  format?: string;

  @ApiPropertyOptional({ description: `mosaic: columns (default ${L.mosaic.defaultGrid})`, minimum: 1, maximum: L.mosaic.maxGrid })
  @IsOptional() @IsInt()
  columns?: number;

  @ApiPropertyOptional({ description: `mosaic: rows (default ${L.mosaic.defaultGrid})`, minimum: 1, maximum: L.mosaic.maxGrid })
  @IsOptional() @IsInt()
  rows?: number;

  @ApiPropertyOptional({
    enum: ['exact', 'fast'],
    description: 'clip: `exact` (default) re-encodes and starts on the requested frame; `fast` copies the streams from the keyframe at or before start (the result gives the actual start)',
  })
  @IsOptional() @IsIn(['exact', 'fast'])
  precision?: 'exact' | 'fast';

  @ApiPropertyOptional({ description: `storyboard: seconds between frames (default: as many as give at most ${L.storyboard.defaultFrames} frames)`, minimum: L.storyboard.minInterval })
  @IsOptional() @IsNumber(finite)
  interval?: number;

  @ApiPropertyOptional({ description: `storyboard: width of one tile (default ${L.storyboard.defaultTileWidth})`, minimum: L.storyboard.minTileWidth, maximum: L.storyboard.maxTileWidth })
  @IsOptional() @IsInt()
  tile_width?: number;

  @ApiPropertyOptional({ description: `waveform: color of the wave (default ${L.waveform.defaultColor})`, pattern: HEX_COLOR.source, example: '#3b82f6' })
  @IsOptional() @IsString() @Matches(HEX_COLOR, { message: 'color must be #rrggbb' })
  color?: string;

  @ApiPropertyOptional({ description: `waveform: background color (default ${L.waveform.defaultBackground})`, pattern: HEX_COLOR.source, example: '#ffffff' })
  @IsOptional() @IsString() @Matches(HEX_COLOR, { message: 'background must be #rrggbb' })
  background?: string;

  @ApiPropertyOptional({ description: 'Name of the output file, without extension', example: 'preview', maxLength: 120 })
  @IsOptional() @IsString() @MaxLength(120)
  filename?: string;

  @ApiPropertyOptional({ description: 'Receives job.completed or job.failed, signed per Standard Webhooks', example: 'https://example.com/hooks/mediary' })
  @IsOptional() @IsHttpUrl('webhook_url', 2048)
  webhook_url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Echoed back in the job result (at most 16 KB as JSON)', example: { order: 42 } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}

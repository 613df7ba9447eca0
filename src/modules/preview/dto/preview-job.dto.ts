import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JobBaseDto, JobResultFilesDto } from '../../../core/jobs/dto/jobs.dto.js';
import { PREVIEW_FORMATS } from '../preview-plan.js';
import { PREVIEW_TYPES, type PreviewType } from '../preview.job.js';

export class PreviewSourceDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds' }) duration: number | null;
  @ApiProperty({ nullable: true, type: 'integer' }) width: number | null;
  @ApiProperty({ nullable: true, type: 'integer' }) height: number | null;
  @ApiProperty({ type: 'integer', description: 'Bytes of the source read over the network to make the preview (all of it when it had to be fetched first; 0 for an upload)' })
  bytes_read: number;
}

/** A completed preview: its files and the fields of its type. */
export class PreviewResultDto extends JobResultFilesDto {
  @ApiProperty({ enum: PREVIEW_TYPES }) type: PreviewType;
  @ApiProperty({ enum: [...new Set(Object.values(PREVIEW_FORMATS).flat())] }) format: string;
  @ApiProperty({ type: PreviewSourceDto }) source: PreviewSourceDto;
  @ApiPropertyOptional({ type: 'integer', description: 'The picture’s or video’s width (a mosaic’s or waveform’s whole width)' }) width?: number;
  @ApiPropertyOptional({ type: 'integer' }) height?: number;
  @ApiPropertyOptional({ description: 'thumbnail: the frame’s time, seconds' }) timestamp?: number;
  @ApiPropertyOptional({ description: 'gif, clip: where the window starts (a `fast` clip: the keyframe it starts on), seconds' }) start?: number;
  @ApiPropertyOptional({ description: 'clip: the start asked for' }) requested_start?: number;
  @ApiPropertyOptional({ description: 'gif, clip: length, seconds; waveform: the audio’s length' }) duration?: number;
  @ApiPropertyOptional({ type: 'integer' }) fps?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'gif: frames; storyboard: tiles' }) frames?: number;
  @ApiPropertyOptional({ enum: ['exact', 'fast'], description: 'clip: how it was cut (`exact` when a stream copy did not fit the container)' }) precision?: 'exact' | 'fast';
  @ApiPropertyOptional({ type: [Number], description: 'mosaic: the times of its frames, row by row' }) timestamps?: number[];
  @ApiPropertyOptional({ type: 'integer' }) columns?: number;
  @ApiPropertyOptional({ type: 'integer' }) rows?: number;
  @ApiPropertyOptional({ type: 'integer' }) tile_width?: number;
  @ApiPropertyOptional({ type: 'integer' }) tile_height?: number;
  @ApiPropertyOptional({ description: 'storyboard: seconds between frames' }) interval?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'storyboard: sprite sheets' }) sheets?: number;
  @ApiPropertyOptional({ type: 'array', items: { type: 'number', minimum: 0, maximum: 1 }, description: 'waveform: the loudest sample of each slice, one per pixel of width' })
  peaks?: number[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The request’s metadata, echoed' }) metadata: Record<string, unknown> | null;
}

export class PreviewJobDto extends JobBaseDto {
  @ApiProperty({ enum: ['preview'] }) type: 'preview';
  @ApiProperty({ type: PreviewResultDto, nullable: true, description: 'Set once completed' }) result: PreviewResultDto | null;
}

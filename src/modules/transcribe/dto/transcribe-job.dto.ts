import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { JobBaseDto, JobResultFilesDto } from '../../../core/jobs/dto/jobs.dto.js';
import { TRANSCRIPT_FORMATS, type TranscriptFormat } from '../transcript-formats.js';

export class TranscriptWordDto {
  @ApiProperty({ description: 'Seconds' }) start: number;
  @ApiProperty({ description: 'Seconds' }) end: number;
  @ApiProperty() word: string;
  @ApiPropertyOptional({ minimum: 0, maximum: 1 }) confidence?: number;
}

export class TranscriptSegmentDto {
  @ApiProperty({ description: 'Seconds', example: 0 }) start: number;
  @ApiProperty({ description: 'Seconds', example: 2.5 }) end: number;
  @ApiProperty({ example: 'Hello and welcome.' }) text: string;
  @ApiPropertyOptional({ type: [TranscriptWordDto], description: 'With `timestamps: word`' }) words?: TranscriptWordDto[];
}

/** A timed transcript in one language (GET /v1/jobs/{id}/transcript?format=json). */
export class TranscriptDto {
  @ApiProperty({ example: 'en' }) language: string;
  @ApiProperty({ enum: ['captions', 'asr'], description: 'The site’s captions, or speech recognition' }) source: 'captions' | 'asr';
  @ApiProperty({ example: 'captions', description: '`captions`, or the speech provider' }) provider: string;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds of media' }) duration: number | null;
  @ApiProperty({ description: 'The whole transcript as plain text' }) text: string;
  @ApiProperty({ type: [TranscriptSegmentDto] }) segments: TranscriptSegmentDto[];
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Seconds: the transcript stops here (the media was longer than could be processed); null or absent when complete' })
  truncated_at?: number | null;
}

/** A transcript as a job result: the transcript, its file, and the request's format and metadata. */
export class TranscriptResultDto extends IntersectionType(TranscriptDto, JobResultFilesDto) {
  @ApiProperty({ enum: TRANSCRIPT_FORMATS, description: 'Format of the transcript file' }) format: TranscriptFormat;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The request’s metadata, echoed' }) metadata: Record<string, unknown> | null;
}

export class TranscribeResultDto extends TranscriptResultDto {
  @ApiProperty({ description: 'The account already owned this transcript: nothing was made again, and it cost nothing' }) reused: boolean;
}

export class TranscribeJobDto extends JobBaseDto {
  @ApiProperty({ enum: ['transcribe'] }) type: 'transcribe';
  @ApiProperty({ type: TranscribeResultDto, nullable: true, description: 'Set once completed' }) result: TranscribeResultDto | null;
}

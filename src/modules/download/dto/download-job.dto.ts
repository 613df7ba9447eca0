import { ApiProperty } from '@nestjs/swagger';
import { JobBaseDto, JobResultFilesDto } from '../../../core/jobs/dto/jobs.dto.js';
import { DOWNLOAD_FORMATS, type DownloadFormat } from '../download-formats.js';

export class DownloadSourceDto {
  @ApiProperty({ nullable: true, type: String, description: 'The site’s id of the media', example: 'dQw4w9WgXcQ' }) id: string | null;
  @ApiProperty({ example: 'youtube', description: '`upload` for your own files' }) platform: string;
  @ApiProperty({ nullable: true, type: String, example: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }) webpage_url: string | null;
}

/** A completed download: the media file (and subtitles, thumbnail) with what ffprobe saw in it. */
export class DownloadResultDto extends JobResultFilesDto {
  @ApiProperty({ nullable: true, type: String }) title: string | null;
  @ApiProperty({ type: DownloadSourceDto }) source: DownloadSourceDto;
  @ApiProperty({ enum: DOWNLOAD_FORMATS }) format: DownloadFormat;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds' }) duration: number | null;
  @ApiProperty({ nullable: true, type: 'integer' }) width: number | null;
  @ApiProperty({ nullable: true, type: 'integer' }) height: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'h264' }) vcodec: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'aac' }) acodec: string | null;
  @ApiProperty({ type: 'integer', description: 'Bytes of the media file' }) size: number;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The request’s metadata, echoed' }) metadata: Record<string, unknown> | null;
}

export class DownloadJobDto extends JobBaseDto {
  @ApiProperty({ enum: ['download'] }) type: 'download';
  @ApiProperty({ type: DownloadResultDto, nullable: true, description: 'Set once completed' }) result: DownloadResultDto | null;
}

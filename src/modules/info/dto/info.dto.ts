import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsHttpUrl } from '../../../platform/http/validators.js';


export class InfoRequestDto {
  @ApiProperty({ description: 'Page or media URL', example: 'https://vimeo.com/76979871' })
  @IsHttpUrl('url')
  url: string;
}

export class FormatDto {
  @ApiProperty() format_id: string;
  @ApiProperty({ nullable: true, type: String }) ext: string | null;
  @ApiProperty({ nullable: true, type: String }) container: string | null;
  @ApiProperty({ nullable: true, type: String }) protocol: string | null;
  @ApiProperty({ nullable: true, type: String }) vcodec: string | null;
  @ApiProperty({ nullable: true, type: String }) acodec: string | null;
  @ApiProperty({ nullable: true, type: Number }) width: number | null;
  @ApiProperty({ nullable: true, type: Number }) height: number | null;
  @ApiProperty({ nullable: true, type: Number }) fps: number | null;
  @ApiProperty({ nullable: true, type: Number }) bitrate_kbps: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Exact size in bytes when known' }) filesize: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Exact or estimated size in bytes' }) filesize_estimate: number | null;
  @ApiProperty() has_video: boolean;
  @ApiProperty() has_audio: boolean;
  @ApiProperty({ nullable: true, type: String }) note: string | null;
}

export class ThumbnailDto {
  @ApiProperty() url: string;
  @ApiProperty({ nullable: true, type: Number }) width: number | null;
  @ApiProperty({ nullable: true, type: Number }) height: number | null;
}

export class SubtitleTrackDto {
  @ApiProperty({ example: 'en' }) language: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ enum: ['manual', 'auto'] }) kind: 'manual' | 'auto';
  @ApiProperty({ type: [String], example: ['vtt'] }) formats: string[];
}

export class ChapterDto {
  @ApiProperty() start: number;
  @ApiProperty() end: number;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
}

/** One video's metadata (also each entry of a page with several videos). */
export class InfoEntryDto {
  @ApiProperty({ enum: ['video', 'playlist'] }) type: 'video' | 'playlist';
  @ApiProperty() id: string;
  @ApiProperty({ nullable: true, type: String }) title: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) description?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) uploader?: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) uploader_id?: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Seconds' }) duration?: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: '2024-05-01' }) upload_date?: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) view_count?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) like_count?: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) comment_count?: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) thumbnail?: string | null;
  @ApiPropertyOptional({ type: [ThumbnailDto] }) thumbnails?: ThumbnailDto[];
  @ApiProperty({ example: 'youtube' }) platform: string;
  @ApiPropertyOptional({ nullable: true, type: String }) webpage_url?: string | null;
  @ApiPropertyOptional() is_live?: boolean;
  @ApiPropertyOptional({ type: [FormatDto] }) formats?: FormatDto[];
  @ApiPropertyOptional({ type: [SubtitleTrackDto] }) subtitles?: SubtitleTrackDto[];
  @ApiPropertyOptional({ type: [ChapterDto] }) chapters?: ChapterDto[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'integer' }, example: { download: 1, download_reencode: 2, transcribe: 3 } })
  estimated_credits?: Record<string, number>;
}

export class InfoResponseDto extends InfoEntryDto {
  @ApiPropertyOptional({ type: [InfoEntryDto], description: 'For a page with several videos' })
  entries?: InfoEntryDto[];
  @ApiProperty({ description: 'Served from cache (free)' }) cached: boolean;
  @ApiProperty({ example: 1 }) credits_charged: number;
}

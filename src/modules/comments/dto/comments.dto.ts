import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsHttpUrl, IsMetadata } from '../../../platform/http/validators.js';
import { COMMENT_SORTS, type CommentSort } from '../comments.job.js';

/** The most comments one page of GET /v1/jobs/{id}/comments returns. */
export const MAX_COMMENTS_PAGE = 500;
export const DEFAULT_MAX_COMMENTS = 1000;

/** POST /v1/comments. */
export class CommentsRequestDto {
  @ApiProperty({ description: 'Page URL of a video on any site yt-dlp reads comments from', example: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' })
  @IsHttpUrl('url')
  url: string;

  @ApiPropertyOptional({
    default: DEFAULT_MAX_COMMENTS,
    minimum: 1,
    description: 'The most comments returned, replies included; at most the installation’s MAX_COMMENTS (20,000 by default). Reserved at 1 credit per started 1,000, settled to what is returned',
  })
  @IsOptional() @IsInt() @Min(1)
  max_comments?: number;

  @ApiPropertyOptional({ enum: COMMENT_SORTS, default: 'top', description: 'Order of threads: `top` by likes with pinned comments first; `new` newest first' })
  @IsOptional() @IsIn(COMMENT_SORTS)
  sort?: CommentSort;

  @ApiPropertyOptional({ default: true, description: 'Include replies, each after its parent; false returns thread starters only' })
  @IsOptional() @IsBoolean()
  include_replies?: boolean;

  @ApiPropertyOptional({ minimum: 0, description: 'The most replies kept per thread (the first ones the site gives); default all. Only with include_replies' })
  @IsOptional() @IsInt() @Min(0)
  max_replies_per_thread?: number;

  @ApiPropertyOptional({ description: 'Receives job.completed or job.failed, signed per Standard Webhooks', example: 'https://example.com/hooks/mediary' })
  @IsOptional() @IsHttpUrl('webhook_url', 2048)
  webhook_url?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Echoed back in the job result (at most 16 KB as JSON)', example: { order: 42 } })
  @IsOptional() @IsMetadata()
  metadata?: Record<string, unknown>;
}

export class CommentsPageQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (`next_cursor`)' })
  @IsOptional() @IsString() @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: MAX_COMMENTS_PAGE })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_COMMENTS_PAGE)
  limit?: number;
}

export class CommentDto {
  @ApiProperty() id: string;
  @ApiProperty({ type: String, nullable: true, description: 'The comment this one replies to; null for a thread’s first comment' }) parent_id: string | null;
  @ApiProperty({ type: String, nullable: true }) author: string | null;
  @ApiProperty({ type: String, nullable: true }) author_id: string | null;
  @ApiPropertyOptional({ description: 'The author’s page, when the site gives it' }) author_url?: string;
  @ApiProperty() text: string;
  @ApiProperty({ minimum: 0 }) likes: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) timestamp: string | null;
  @ApiProperty() pinned: boolean;
  @ApiProperty({ description: 'Marked with a heart by the uploader' }) hearted: boolean;
  @ApiProperty() by_uploader: boolean;
  @ApiPropertyOptional({ description: 'Whether the comment was edited, when the site says' }) edited?: boolean;
}

export class CommentsPageDto {
  @ApiProperty({ type: [CommentDto], description: 'In the job’s order: threads as sorted, each reply after its parent' }) data: CommentDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Cursor of the next page; null on the last' }) next_cursor: string | null;
}

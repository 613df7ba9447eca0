import { ApiProperty } from '@nestjs/swagger';
import { JobBaseDto, JobResultFilesDto } from '../../../core/jobs/dto/jobs.dto.js';
import { COMMENT_SORTS, type CommentSort } from '../comments.job.js';

/** A completed comments job: the counts, and the JSON file of every comment returned. */
export class CommentsResultDto extends JobResultFilesDto {
  @ApiProperty({ type: 'integer', nullable: true, description: 'How many comments the site says the media has; null when it does not say' }) comment_count: number | null;
  @ApiProperty({ description: 'false for a site, an extractor or a video without comments' }) comments_available: boolean;
  @ApiProperty({ type: 'integer' }) returned: number;
  @ApiProperty({ type: 'integer' }) threads: number;
  @ApiProperty({ enum: COMMENT_SORTS }) sort: CommentSort;
  @ApiProperty({ description: 'The name of the JSON file among `files` that holds every comment returned' }) comments_file: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The request’s metadata, echoed' }) metadata: Record<string, unknown> | null;
}

export class CommentsJobDto extends JobBaseDto {
  @ApiProperty({ enum: ['comments'] }) type: 'comments';
  @ApiProperty({ type: CommentsResultDto, nullable: true, description: 'Set once completed' }) result: CommentsResultDto | null;
}

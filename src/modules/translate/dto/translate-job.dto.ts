import { ApiProperty } from '@nestjs/swagger';
import { JobBaseDto } from '../../../core/jobs/dto/jobs.dto.js';
import { TranscriptResultDto } from '../../transcribe/index.js';

/** The translated transcript: the source's segments and times, in the target language. */
export class TranslateResultDto extends TranscriptResultDto {
  @ApiProperty({ example: 'en', description: 'Language of the transcript that was translated' }) source_language: string;
  @ApiProperty({ example: 'captions', description: 'Who made the transcript that was translated' }) transcript_provider: string;
}

export class TranslateJobDto extends JobBaseDto {
  @ApiProperty({ enum: ['translate'] }) type: 'translate';
  @ApiProperty({ type: TranslateResultDto, nullable: true, description: 'Set once completed' }) result: TranslateResultDto | null;
}

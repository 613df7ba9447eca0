import { ApiProperty } from '@nestjs/swagger';
import { JobBaseDto, JobResultFilesDto } from '../../../core/jobs/dto/jobs.dto.js';
import { AudioFingerprintDto, VideoFingerprintDto } from './fingerprint.dto.js';

/** A completed fingerprint: the fingerprint itself (it has no files). */
export class FingerprintResultDto extends JobResultFilesDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Seconds' }) duration: number | null;
  @ApiProperty({ type: VideoFingerprintDto, nullable: true, description: 'null for audio-only media' }) video: VideoFingerprintDto | null;
  @ApiProperty({ type: AudioFingerprintDto, nullable: true, description: 'null for media without audio' }) audio: AudioFingerprintDto | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The request’s metadata, echoed' }) metadata: Record<string, unknown> | null;
}

export class FingerprintJobDto extends JobBaseDto {
  @ApiProperty({ enum: ['fingerprint'] }) type: 'fingerprint';
  @ApiProperty({ type: FingerprintResultDto, nullable: true, description: 'Set once completed' }) result: FingerprintResultDto | null;
}

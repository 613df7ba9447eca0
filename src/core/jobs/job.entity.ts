import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JobStatus, JobType } from './job-types.js';

export interface JobError {
  code: string;
  message: string;
}

/** A file a job produced, as stored; clients see it as a signed URL (see JobsService). */
export interface JobOutput {
  kind: string;
  key: string;
  filename: string;
  content_type: string;
  size: number;
  /** Pictures and videos: their size in pixels; videos and animations: their length in seconds. */
  width?: number;
  height?: number;
  duration?: number;
}

@Entity('jobs')
export class JobEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('text') type: JobType;
  @Column('text') status: JobStatus;
  @Column('smallint') progress: number;
  @Column('text', { nullable: true }) platform: string | null;
  @Column('uuid', { name: 'batch_id', nullable: true }) batchId: string | null;
  @Column('jsonb') input: Record<string, unknown>;
  @Column('jsonb', { nullable: true }) result: Record<string, unknown> | null;
  @Column('jsonb', { nullable: true }) error: JobError | null;
  @Column('jsonb') outputs: JobOutput[];
  @Column('integer', { name: 'credits_charged' }) creditsCharged: number;
  @Column('integer', { name: 'credits_refunded' }) creditsRefunded: number;
  /** What a cancel while running keeps; null keeps all that was charged. */
  @Column('integer', { name: 'credits_committed', nullable: true }) creditsCommitted: number | null;
  @Column('integer') attempts: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt: Date | null;
  @Column('timestamptz', { name: 'completed_at', nullable: true }) completedAt: Date | null;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
  @Column('timestamptz', { name: 'expires_at', nullable: true }) expiresAt: Date | null;
  @Column('timestamptz', { name: 'outputs_deleted_at', nullable: true }) outputsDeletedAt: Date | null;
}

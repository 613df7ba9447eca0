import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rows } from '../../platform/database/sql.js';
import { JobEntity } from './job.entity.js';

/** What the sweeper deletes past its retention that no other repository owns: rows found and removed in bounded batches. */
@Injectable()
export class RetentionRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Failed and canceled jobs whose files (stored by an attempt before it failed, or by a run
   * canceled meanwhile) were not deleted yet, ended more than `seconds` ago, oldest first.
   */
  endedWithFiles(seconds: number, limit: number): Promise<JobEntity[]> {
    return this.db
      .getRepository(JobEntity)
      .createQueryBuilder('j')
      .where(`j.outputs_deleted_at IS NULL AND j.status IN ('failed', 'canceled') AND j.completed_at < now() - make_interval(secs => :seconds)`, { seconds })
      .orderBy('j.completed_at')
      .limit(limit)
      .getMany();
  }

  /**
   * Deletes up to `limit` stored transcripts made more than `days` ago; returns how many. Asking
   * again for one of them is charged again: ownership is what the row records.
   */
  async deleteTranscriptsOlderThan(days: number, limit: number): Promise<number> {
    const deleted = await rows(
      this.db,
      `DELETE FROM transcripts WHERE id IN (
         SELECT id FROM transcripts WHERE created_at < now() - make_interval(days => $1) ORDER BY created_at LIMIT $2
       ) RETURNING 1`,
      [days, limit],
      () => true,
    );
    return deleted.length;
  }
}

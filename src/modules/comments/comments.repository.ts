import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { SqlRunner } from '../../core/jobs/job-handler.js';
import { rows } from '../../platform/database/sql.js';
import type { Comment } from './comments.job.js';

/** Rows per INSERT when a job's comments are saved. */
const SAVE_BATCH = 1000;

/** The comments of completed jobs, by job and position (the order they are returned in). */
@Injectable()
export class CommentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Saves a job's comments in order, in the job's completion transaction, a batch at a time. */
  async save(tx: SqlRunner, jobId: string, comments: Iterable<Comment>): Promise<number> {
    let position = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await tx.query(
        `INSERT INTO job_comments (job_id, position, comment)
         SELECT $1, $2::int + n - 1, c::json FROM unnest($3::text[]) WITH ORDINALITY AS t(c, n)`,
        [jobId, position - batch.length, batch],
      );
      batch = [];
    };
    for (const comment of comments) {
      batch.push(JSON.stringify(comment));
      position++;
      if (batch.length === SAVE_BATCH) await flush();
    }
    await flush();
    return position;
  }

  /** Up to `limit` comments of a job after position `after` (-1: from the first). */
  page(jobId: string, after: number, limit: number): Promise<Array<{ position: number; comment: Comment }>> {
    return rows(
      this.db,
      'SELECT position, comment FROM job_comments WHERE job_id = $1 AND position > $2 ORDER BY position LIMIT $3',
      [jobId, after, limit],
      // Written by save() above from a Comment; json gives it back as it was.
      (r) => ({ position: r.position as number, comment: r.comment as Comment }),
    );
  }

  async delete(jobId: string): Promise<void> {
    await this.db.query('DELETE FROM job_comments WHERE job_id = $1', [jobId]);
  }
}

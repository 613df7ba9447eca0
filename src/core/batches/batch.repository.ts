import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { JobEntity } from '../jobs/job.entity.js';

export interface BatchRow {
  id: string;
  account_id: string;
  operation: string;
  status: 'processing' | 'completed';
  total: number;
  webhook_url: string | null;
  created_at: Date;
  completed_at: Date | null;
}

@Injectable()
export class BatchRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(accountId: string, id: string): Promise<BatchRow | null> {
    const rows = (await this.db.query('SELECT * FROM batches WHERE id = $1 AND account_id = $2', [id, accountId])) as BatchRow[];
    return rows[0] ?? null;
  }

  /** The batch's jobs in the order of its items (as `q`'s transaction sees them, when given). */
  async jobs(batchId: string, q?: QueryRunner): Promise<JobEntity[]> {
    return (q?.manager ?? this.db.manager)
      .getRepository(JobEntity)
      .createQueryBuilder('j')
      .where('j.batch_id = :batchId', { batchId })
      .orderBy('j.batch_position', 'ASC')
      .getMany();
  }

  /**
   * Marks the batch completed if none of its jobs is still pending or processing, in the
   * transaction that ends one of them. Exactly one caller gets the row back, however many jobs end
   * at the same moment: the batch row is locked first, so the check runs after any other ending
   * of the batch's jobs has committed and sees it (checked while both were uncommitted, each
   * would see the other still running, and the batch would never complete).
   */
  async completeIfDone(batchId: string, q: QueryRunner): Promise<BatchRow | null> {
    await q.query('SELECT 1 FROM batches WHERE id = $1 FOR UPDATE', [batchId]);
    const [rows] = (await q.query(
      `UPDATE batches SET status = 'completed', completed_at = now()
       WHERE id = $1 AND status = 'processing'
         AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_id = $1 AND status IN ('pending', 'processing'))
       RETURNING *`,
      [batchId],
    )) as [BatchRow[], number];
    return rows[0] ?? null;
  }
}

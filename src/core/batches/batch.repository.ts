import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
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

  /** The batch's jobs in the order of its items. */
  async jobs(batchId: string): Promise<JobEntity[]> {
    return this.db
      .getRepository(JobEntity)
      .createQueryBuilder('j')
      .where('j.batch_id = :batchId', { batchId })
      .orderBy('j.batch_position', 'ASC')
      .getMany();
  }

  /**
   * Marks the batch completed if none of its jobs is still pending or processing. Exactly one
   * caller gets the row back, however many jobs end at the same moment.
   */
  async completeIfDone(batchId: string): Promise<BatchRow | null> {
    const [rows] = (await this.db.query(
      `UPDATE batches SET status = 'completed', completed_at = now()
       WHERE id = $1 AND status = 'processing'
         AND NOT EXISTS (SELECT 1 FROM jobs WHERE batch_id = $1 AND status IN ('pending', 'processing'))
       RETURNING *`,
      [batchId],
    )) as [BatchRow[], number];
    return rows[0] ?? null;
  }
}

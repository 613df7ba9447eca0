import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { firstRow, rows } from '../../platform/database/sql.js';
import { JobEntity } from './job.entity.js';
import type { JobStatus, JobType } from './job-types.js';

export interface JobFilters {
  status?: JobStatus;
  type?: JobType;
  platform?: string;
  createdAfter?: Date;
  createdBefore?: Date;
}

export interface JobCursor {
  createdAt: string;
  id: string;
}

/** Job rows: reads and state changes that move no money (those are in LedgerRepository). */
@Injectable()
export class JobRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  private get repo() {
    return this.db.getRepository(JobEntity);
  }

  find(id: string): Promise<JobEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findForAccount(accountId: string, id: string): Promise<JobEntity | null> {
    return this.repo.findOneBy({ id, accountId });
  }

  /** Newest first; the cursor is the (created_at, id) of the last row of the previous page. */
  list(accountId: string, filters: JobFilters, cursor: JobCursor | null, limit: number): Promise<JobEntity[]> {
    const qb = this.repo
      .createQueryBuilder('j')
      .where('j.account_id = :accountId', { accountId })
      .orderBy('j.created_at', 'DESC')
      .addOrderBy('j.id', 'DESC')
      .limit(limit);
    if (filters.status) qb.andWhere('j.status = :status', { status: filters.status });
    if (filters.type) qb.andWhere('j.type = :type', { type: filters.type });
    if (filters.platform) qb.andWhere('j.platform = :platform', { platform: filters.platform });
    if (filters.createdAfter) qb.andWhere('j.created_at >= :after', { after: filters.createdAfter });
    if (filters.createdBefore) qb.andWhere('j.created_at < :before', { before: filters.createdBefore });
    if (cursor) {
      qb.andWhere('(j.created_at, j.id) < (:cAt::timestamptz, :cId::uuid)', { cAt: cursor.createdAt, cId: cursor.id });
    }
    return qb.getMany();
  }

  /** pending|processing → processing (a retry re-enters); null when the job has ended. */
  async start(id: string): Promise<JobEntity | null> {
    const started = await firstRow(
      this.db,
      `UPDATE jobs SET status = 'processing', started_at = coalesce(started_at, now()),
              attempts = attempts + 1, updated_at = now()
       WHERE id = $1 AND status IN ('pending', 'processing') RETURNING id`,
      [id],
      (r) => r.id as string,
    );
    return started ? this.find(id) : null;
  }

  async setProgress(id: string, progress: number): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET progress = $2, updated_at = now() WHERE id = $1 AND status = 'processing' AND progress < $2`,
      [id, Math.max(0, Math.min(100, Math.floor(progress)))],
    );
  }

  async setPlatform(id: string, platform: string): Promise<void> {
    await this.db.query('UPDATE jobs SET platform = $2 WHERE id = $1', [id, platform]);
  }

  async markOutputsDeleted(id: string): Promise<void> {
    await this.db.query(`UPDATE jobs SET outputs_deleted_at = now(), updated_at = now() WHERE id = $1`, [id]);
  }

  /** Unfinished jobs older than `seconds`: candidates for re-enqueueing if Redis lost them. */
  unfinishedOlderThan(seconds: number, limit: number): Promise<Array<{ id: string; type: string }>> {
    return rows(
      this.db,
      `SELECT id, type FROM jobs WHERE status IN ('pending', 'processing') AND created_at < now() - make_interval(secs => $1)
       ORDER BY created_at LIMIT $2`,
      [seconds, limit],
      (r) => ({ id: r.id as string, type: r.type as string }),
    );
  }

  async withExpiredOutputs(limit: number): Promise<JobEntity[]> {
    return this.repo
      .createQueryBuilder('j')
      .where('j.outputs_deleted_at IS NULL AND j.expires_at IS NOT NULL AND j.expires_at < now()')
      .orderBy('j.expires_at')
      .limit(limit)
      .getMany();
  }
}

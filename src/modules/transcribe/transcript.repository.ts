import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { firstRow } from '../../platform/database/sql.js';
import type { SqlRunner } from '../../core/jobs/job-handler.js';
import type { Transcript } from './transcribe.job.js';

/** Transcripts an account owns, by source, language and provider. */
@Injectable()
export class TranscriptRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The account's transcript of this source, language and provider. A transcript is saved only
   * when the job that made it completes; `madeBy` is left out all the same, so a job can never
   * find its own and call itself free.
   */
  find(accountId: string, sourceKey: string, language: string, providers: string[], madeBy?: string): Promise<{ jobId: string; transcript: Transcript } | null> {
    return firstRow(
      this.db,
      `SELECT job_id, transcript FROM transcripts
       WHERE account_id = $1 AND source_key = $2 AND language = $3 AND provider = ANY($4) AND job_id IS DISTINCT FROM $5
       ORDER BY created_at DESC LIMIT 1`,
      [accountId, sourceKey, language, providers, madeBy ?? null],
      // Written by save() below from a Transcript; jsonb gives it back as it was.
      (r) => ({ jobId: r.job_id as string, transcript: r.transcript as Transcript }),
    );
  }

  /** Whether the account owns any transcript of this source (in any language, by any provider). */
  async ownsAny(accountId: string, sourceKey: string): Promise<boolean> {
    return (await firstRow(this.db, 'SELECT 1 FROM transcripts WHERE account_id = $1 AND source_key = $2 LIMIT 1', [accountId, sourceKey], () => true)) ?? false;
  }

  /** Records the account's transcript; `tx` is the completion transaction of the job that made it. */
  async save(accountId: string, sourceKey: string, jobId: string, transcript: Transcript, tx: SqlRunner): Promise<void> {
    await tx.query(
      `INSERT INTO transcripts (id, account_id, source_key, language, provider, job_id, transcript)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, source_key, language, provider) DO NOTHING`,
      [randomUUID(), accountId, sourceKey, transcript.language, transcript.provider, jobId, JSON.stringify(transcript)],
    );
  }
}

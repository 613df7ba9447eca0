import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** Transcripts an account owns, by source, language and provider. */
@Injectable()
export class TranscriptRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(accountId: string, sourceKey: string, language: string, providers: string[]): Promise<{ jobId: string; transcript: Record<string, unknown> } | null> {
    const rows = (await this.db.query(
      `SELECT job_id, transcript FROM transcripts
       WHERE account_id = $1 AND source_key = $2 AND language = $3 AND provider = ANY($4)
       ORDER BY created_at DESC LIMIT 1`,
      [accountId, sourceKey, language, providers],
    )) as Array<{ job_id: string; transcript: Record<string, unknown> }>;
    return rows[0] ? { jobId: rows[0].job_id, transcript: rows[0].transcript } : null;
  }

  async save(accountId: string, sourceKey: string, language: string, provider: string, jobId: string, transcript: Record<string, unknown>): Promise<void> {
    await this.db.query(
      `INSERT INTO transcripts (id, account_id, source_key, language, provider, job_id, transcript)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, source_key, language, provider) DO NOTHING`,
      [randomUUID(), accountId, sourceKey, language, provider, jobId, JSON.stringify(transcript)],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { IdempotencyInput, StoredResponse } from '../../platform/http/idempotency.js';
import { firstRow, rows, type Queryable } from '../../platform/database/sql.js';

export type Replay = { kind: 'replay'; response: StoredResponse } | { kind: 'key_reused' };

/** Idempotency records: the first response to a key, kept 24 h and replayed to repeats. */
@Injectable()
export class IdempotencyRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Records `response` under the key unless a record exists. Returns null when this call wrote
   * it, otherwise what the earlier request gets replayed. Inside a transaction (`q`), a
   * concurrent writer of the same key makes this wait until that transaction ends.
   */
  async claim(accountId: string, idem: IdempotencyInput, response: StoredResponse, q: Queryable = this.db): Promise<Replay | null> {
    const inserted = await rows(
      q,
      `INSERT INTO idempotency_keys (account_id, key, request_hash, status_code, response)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1`,
      [accountId, idem.key, idem.requestHash, response.statusCode, JSON.stringify(response.body)],
      () => true,
    );
    if (inserted.length > 0) return null;
    return (await this.findReplay(accountId, idem, q)) ?? { kind: 'key_reused' };
  }

  /** What a repeated request gets: the first response, or `key_reused` for another body. */
  async findReplay(accountId: string, idem: IdempotencyInput, q: Queryable = this.db): Promise<Replay | null> {
    const stored = await firstRow(
      q,
      'SELECT request_hash, status_code, response FROM idempotency_keys WHERE account_id = $1 AND key = $2',
      [accountId, idem.key],
      (r) => ({ requestHash: r.request_hash as string, statusCode: r.status_code as number, body: r.response as Record<string, unknown> }),
    );
    if (!stored) return null;
    if (stored.requestHash !== idem.requestHash) return { kind: 'key_reused' };
    return { kind: 'replay', response: { statusCode: stored.statusCode, body: stored.body } };
  }

  async deleteOlderThan(hours: number): Promise<void> {
    await this.db.query('DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)', [hours]);
  }
}

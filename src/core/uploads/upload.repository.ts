import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { toSafeInteger } from '../../platform/database/numbers.js';
import { firstRow, rows, type Row } from '../../platform/database/sql.js';

export interface Upload {
  id: string;
  accountId: string;
  filename: string;
  contentType: string;
  size: number;
  duration: number | null;
  storageKey: string;
  createdAt: Date;
  expiresAt: Date;
  deletedAt: Date | null;
}

const fromRow = (r: Row): Upload => ({
  id: r.id as string,
  accountId: r.account_id as string,
  filename: r.filename as string,
  contentType: r.content_type as string,
  size: toSafeInteger(r.size as string),
  duration: r.duration as number | null,
  storageKey: r.storage_key as string,
  createdAt: r.created_at as Date,
  expiresAt: r.expires_at as Date,
  deletedAt: r.deleted_at as Date | null,
});

@Injectable()
export class UploadRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async insert(u: Omit<Upload, 'createdAt' | 'deletedAt'>): Promise<Upload> {
    const upload = await firstRow(
      this.db,
      `INSERT INTO uploads (id, account_id, filename, content_type, size, duration, storage_key, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [u.id, u.accountId, u.filename, u.contentType, u.size, u.duration, u.storageKey, u.expiresAt],
      fromRow,
    );
    return upload!;
  }

  /** An account's upload that still exists. */
  findLive(accountId: string, id: string): Promise<Upload | null> {
    return firstRow(this.db, 'SELECT * FROM uploads WHERE id = $1 AND account_id = $2 AND deleted_at IS NULL AND expires_at > now()', [id, accountId], fromRow);
  }

  /** Bytes the account's live uploads take in storage. */
  async liveBytes(accountId: string): Promise<number> {
    const bytes = await firstRow(this.db, 'SELECT coalesce(sum(size), 0)::text AS bytes FROM uploads WHERE account_id = $1 AND deleted_at IS NULL', [accountId], (r) =>
      toSafeInteger(r.bytes as string),
    );
    return bytes ?? 0;
  }

  async markDeleted(id: string): Promise<void> {
    await this.db.query('UPDATE uploads SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL', [id]);
  }

  expired(limit: number): Promise<Upload[]> {
    return rows(this.db, 'SELECT * FROM uploads WHERE deleted_at IS NULL AND expires_at < now() ORDER BY expires_at LIMIT $1', [limit], fromRow);
  }
}

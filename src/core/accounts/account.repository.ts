import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccountEntity } from './account.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { toSafeInteger } from '../../platform/database/numbers.js';
import { firstRow } from '../../platform/database/sql.js';
import { scopesOf, type Scope } from '../../platform/http/scopes.js';
import { CURRENT_MONTH } from '../ledger/key-spend.js';
import { LedgerEntryEntity } from '../ledger/ledger-entry.entity.js';

export interface KeyOwner {
  keyId: string;
  accountId: string;
  scopes: Scope[];
}

/** What may change of a key; what is undefined stays as it is. */
export interface KeyPatch {
  name?: string | null;
  scopes?: Scope[];
  monthlyCreditLimit?: number | null;
}

/** A key as listed: the row and what it spent this month. */
export interface ListedKey {
  key: ApiKeyEntity;
  spentThisMonth: number;
}

/** Accounts, their API keys and reads of their ledger. Money writes live in LedgerRepository. */
@Injectable()
export class AccountRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(id: string, name: string): Promise<AccountEntity> {
    await this.db.query('INSERT INTO accounts (id, name) VALUES ($1, $2)', [id, name]);
    return (await this.find(id))!;
  }

  find(id: string): Promise<AccountEntity | null> {
    return this.db.getRepository(AccountEntity).findOneBy({ id });
  }

  async count(): Promise<number> {
    return this.db.getRepository(AccountEntity).count();
  }

  async insertKey(key: Omit<ApiKeyEntity, 'createdAt' | 'revokedAt'>): Promise<ApiKeyEntity> {
    const repo = this.db.getRepository(ApiKeyEntity);
    await repo.insert(key);
    return (await repo.findOneBy({ id: key.id }))!;
  }

  /** The owner of an unrevoked key with this hash. One indexed lookup on the hot path. */
  async findKeyOwner(keyHash: Buffer): Promise<KeyOwner | null> {
    return firstRow(this.db, 'SELECT id, account_id, scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [keyHash], (r) => ({
      keyId: r.id as string,
      accountId: r.account_id as string,
      scopes: scopesOf(r.scopes as string[] | null),
    }));
  }

  async listKeys(accountId: string): Promise<ListedKey[]> {
    const keys = await this.db.getRepository(ApiKeyEntity).find({ where: { accountId }, order: { createdAt: 'ASC' } });
    const spent = await this.spentThisMonth(keys.map((k) => k.id));
    return keys.map((key) => ({ key, spentThisMonth: spent.get(key.id) ?? 0 }));
  }

  /** Net credits each key spent in the current calendar month (UTC). */
  async spentThisMonth(keyIds: string[]): Promise<Map<string, number>> {
    if (!keyIds.length) return new Map();
    const rows: Array<{ key_id: string; credits: string }> = await this.db.query(
      `SELECT key_id, credits::text FROM api_key_spend WHERE key_id = ANY($1::uuid[]) AND month = ${CURRENT_MONTH}`,
      [keyIds],
    );
    return new Map(rows.map((r) => [r.key_id, toSafeInteger(r.credits)]));
  }

  findKey(keyId: string): Promise<ApiKeyEntity | null> {
    return this.db.getRepository(ApiKeyEntity).findOneBy({ id: keyId });
  }

  /** Revokes a key of this account; null when the account has no such key. */
  async revokeKey(accountId: string | null, keyId: string): Promise<ApiKeyEntity | null> {
    const params: unknown[] = [keyId];
    let where = 'id = $1';
    if (accountId) {
      params.push(accountId);
      where += ' AND account_id = $2';
    }
    await this.db.query(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE ${where}`, params);
    const key = await this.findKey(keyId);
    return key && (!accountId || key.accountId === accountId) ? key : null;
  }

  /** Changes what is given of an unrevoked key of the account; null when there is no such key. */
  async updateKey(accountId: string, keyId: string, patch: KeyPatch): Promise<ApiKeyEntity | null> {
    const sets: string[] = [];
    const params: unknown[] = [keyId, accountId];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (patch.name !== undefined) set('name', patch.name);
    if (patch.scopes !== undefined) set('scopes', patch.scopes);
    if (patch.monthlyCreditLimit !== undefined) set('monthly_credit_limit', patch.monthlyCreditLimit);
    if (sets.length === 0) sets.push('id = id');
    const updated = await firstRow(this.db, `UPDATE api_keys SET ${sets.join(', ')} WHERE id = $1 AND account_id = $2 AND revoked_at IS NULL RETURNING id`, params, (r) => r.id as string);
    return updated ? this.findKey(updated) : null;
  }

  /** Ledger entries newest first, after the cursor id (keyset pagination). */
  listLedger(accountId: string, beforeId: number | null, limit: number): Promise<LedgerEntryEntity[]> {
    const qb = this.db
      .getRepository(LedgerEntryEntity)
      .createQueryBuilder('e')
      .where('e.account_id = :accountId', { accountId })
      .orderBy('e.id', 'DESC')
      .limit(limit);
    if (beforeId !== null) qb.andWhere('e.id < :beforeId', { beforeId });
    return qb.getMany();
  }

  /** Sum of the account's entries, which must always equal its cached balance. */
  async ledgerSum(accountId: string): Promise<number> {
    const sum = await firstRow(this.db, 'SELECT coalesce(sum(amount), 0)::text AS sum FROM ledger_entries WHERE account_id = $1', [accountId], (r) =>
      toSafeInteger(r.sum as string),
    );
    return sum ?? 0;
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { toSafeInteger } from '../../platform/database/numbers.js';
import { firstRow, transaction, type Queryable } from '../../platform/database/sql.js';

export const balanceOf = (row: Record<string, unknown>): number => toSafeInteger(row.balance as string);

/** Balances, and credits added to them (operator grants; purchases later). */
@Injectable()
export class CreditsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Adds credits and their ledger entry in one transaction; returns the new balance. */
  credit(accountId: string, amount: number, kind: 'grant' | 'purchase', reason: string | null): Promise<number> {
    return transaction(this.db, async (q) => {
      const balance = await firstRow(q, 'UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance', [accountId, amount], balanceOf);
      if (balance === null) throw new Error(`no account ${accountId}`);
      await q.query(
        `INSERT INTO ledger_entries (account_id, amount, kind, reason, balance_after) VALUES ($1, $2, $3, $4, $5)`,
        [accountId, amount, kind, reason, balance],
      );
      return balance;
    });
  }

  async balance(accountId: string, q: Queryable = this.db): Promise<number> {
    return (await firstRow(q, 'SELECT balance FROM accounts WHERE id = $1', [accountId], balanceOf)) ?? 0;
  }
}

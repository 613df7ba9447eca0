import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { toSafeInteger } from '../../platform/database/numbers.js';
import { firstRow, transaction, type Queryable } from '../../platform/database/sql.js';

export const balanceOf = (row: Record<string, unknown>): number => toSafeInteger(row.balance as string);

/** What a take-back did: taken from the balance, and what is owed because it was already spent. */
export interface TakeBack {
  taken: number;
  owed: number;
  balance: number;
}

/**
 * Balances, credits added to them (operator grants, purchases) and credits taken back (refunded or
 * disputed purchases). Every change is a ledger entry written with the balance in one
 * transaction; the `…In` methods run inside the caller's transaction (`q`) so that what caused
 * the change (a checkout's status) commits with it.
 */
@Injectable()
export class CreditsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Adds credits and their ledger entry in one transaction; returns the new balance. */
  credit(accountId: string, amount: number, kind: 'grant' | 'purchase', reason: string | null): Promise<number> {
    return transaction(this.db, (q) => this.creditIn(q, accountId, amount, kind, reason, null));
  }

  /**
   * Adds credits with their entry, then pays what the account owes from them (a `reversal`
   * entry), so the ledger shows both. A `reference` credits at most once (a unique index): a
   * second try fails the transaction. Returns the balance after both.
   */
  async creditIn(q: Queryable, accountId: string, amount: number, kind: 'grant' | 'purchase', reason: string | null, reference: string | null): Promise<number> {
    const balance = await firstRow(q, 'UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance', [accountId, amount], balanceOf);
    if (balance === null) throw new Error(`no account ${accountId}`);
    await q.query(
      `INSERT INTO ledger_entries (account_id, amount, kind, reason, reference, balance_after) VALUES ($1, $2, $3, $4, $5, $6)`,
      [accountId, amount, kind, reason, reference, balance],
    );
    return this.payOwedIn(q, accountId);
  }

  /**
   * Takes `amount` back (a refunded or disputed purchase): what the balance holds is taken with a
   * `reversal` entry, the rest is recorded as owed. Never below zero. Inside a transaction.
   */
  async takeBackIn(q: Queryable, accountId: string, amount: number, reason: string, reference: string): Promise<TakeBack> {
    const { balance } = await this.lockIn(q, accountId);
    const taken = Math.min(balance, amount);
    const row = await firstRow(
      q,
      'UPDATE accounts SET balance = balance - $2, credits_owed = credits_owed + $3 WHERE id = $1 RETURNING balance, credits_owed',
      [accountId, taken, amount - taken],
      (r) => ({ balance: balanceOf(r), owed: toSafeInteger(r.credits_owed as string) }),
    );
    if (taken > 0) await this.reversalEntry(q, accountId, taken, reason, reference, row!.balance);
    return { taken, owed: row!.owed, balance: row!.balance };
  }

  /** What the account owes, paid from its balance as far as it goes; returns the balance after. Inside a transaction. */
  private async payOwedIn(q: Queryable, accountId: string): Promise<number> {
    const { balance, owed } = await this.lockIn(q, accountId);
    const paid = Math.min(balance, owed);
    if (paid === 0) return balance;
    await q.query('UPDATE accounts SET balance = balance - $2, credits_owed = credits_owed - $2 WHERE id = $1', [accountId, paid]);
    await this.reversalEntry(q, accountId, paid, 'pays credits owed', null, balance - paid);
    return balance - paid;
  }

  private async lockIn(q: Queryable, accountId: string): Promise<{ balance: number; owed: number }> {
    const row = await firstRow(q, 'SELECT balance, credits_owed FROM accounts WHERE id = $1 FOR UPDATE', [accountId], (r) => ({
      balance: balanceOf(r),
      owed: toSafeInteger(r.credits_owed as string),
    }));
    if (!row) throw new Error(`no account ${accountId}`);
    return row;
  }

  private async reversalEntry(q: Queryable, accountId: string, amount: number, reason: string, reference: string | null, balance: number): Promise<void> {
    await q.query(
      `INSERT INTO ledger_entries (account_id, amount, kind, reason, reference, balance_after) VALUES ($1, $2, 'reversal', $3, $4, $5)`,
      [accountId, -amount, reason, reference, balance],
    );
  }

  async balance(accountId: string, q: Queryable = this.db): Promise<number> {
    return (await firstRow(q, 'SELECT balance FROM accounts WHERE id = $1', [accountId], balanceOf)) ?? 0;
  }

  /** What a refund or dispute could not take back and the account still owes. */
  async owed(accountId: string, q: Queryable = this.db): Promise<number> {
    return (await firstRow(q, 'SELECT credits_owed FROM accounts WHERE id = $1', [accountId], (r) => toSafeInteger(r.credits_owed as string))) ?? 0;
  }
}

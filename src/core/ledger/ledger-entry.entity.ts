import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from '../../platform/database/numbers.js';

export type LedgerKind = 'grant' | 'purchase' | 'charge' | 'refund' | 'reversal';

/** Append-only: rows are only ever inserted (a database trigger refuses changes). */
@Entity('ledger_entries')
export class LedgerEntryEntity {
  @PrimaryColumn('bigint', { transformer: bigintToNumber }) id: number;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  @Column('bigint', { transformer: bigintToNumber }) amount: number;
  @Column('text') kind: LedgerKind;
  @Column('uuid', { name: 'job_id', nullable: true }) jobId: string | null;
  @Column('text', { nullable: true }) reference: string | null;
  @Column('text', { nullable: true }) reason: string | null;
  @Column('bigint', { name: 'balance_after', transformer: bigintToNumber }) balanceAfter: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintToNumber } from '../../platform/database/numbers.js';

@Entity('accounts')
export class AccountEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  /** Cached sum of the account's ledger entries; written only together with an entry. */
  @Column('bigint', { transformer: bigintToNumber }) balance: number;
  /** What a refunded or disputed purchase could not take back; above zero, no paid work starts. */
  @Column('bigint', { name: 'credits_owed', transformer: bigintToNumber }) creditsOwed: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

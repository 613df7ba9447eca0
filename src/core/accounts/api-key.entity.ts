import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid', { name: 'account_id' }) accountId: string;
  /** sha256 of the plaintext key; the plaintext is never stored. */
  @Column('bytea', { name: 'key_hash' }) keyHash: Buffer;
  @Column('text') prefix: string;
  @Column('text') last4: string;
  @Column('text', { nullable: true }) name: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
  /** What the key may do; null holds every scope. */
  @Column('text', { array: true, nullable: true }) scopes: string[] | null;
  /** Net credits the key may spend per calendar month (UTC); null is no cap. */
  @Column('integer', { name: 'monthly_credit_limit', nullable: true }) monthlyCreditLimit: number | null;
}

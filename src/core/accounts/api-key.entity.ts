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
}

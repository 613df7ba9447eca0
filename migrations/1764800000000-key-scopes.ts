import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scoped keys and spending caps. `api_keys.scopes` null means every scope (keys minted before
 * scopes existed keep full access). Each job remembers the key that paid for it, so its top-ups
 * and refunds count against the same key. `api_key_spend` holds each capped-or-not key's net
 * spend per calendar month (UTC), changed only in the transactions that move the money, so the
 * cap check is one row lock rather than a sum over the month.
 */
export class KeyScopes1764800000000 implements MigrationInterface {
  name = 'KeyScopes1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE api_keys
        ADD COLUMN scopes text[],
        ADD COLUMN monthly_credit_limit integer CHECK (monthly_credit_limit >= 0);
      ALTER TABLE jobs ADD COLUMN api_key_id uuid REFERENCES api_keys (id);
      CREATE TABLE api_key_spend (
        key_id uuid NOT NULL REFERENCES api_keys (id),
        month date NOT NULL,
        credits bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (key_id, month)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE api_key_spend;
      ALTER TABLE jobs DROP COLUMN api_key_id;
      ALTER TABLE api_keys DROP COLUMN monthly_credit_limit, DROP COLUMN scopes;
    `);
  }
}

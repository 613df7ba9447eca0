import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Files users upload, usable wherever a URL is accepted; deleted with the output retention. */
export class Uploads1764000000000 implements MigrationInterface {
  name = 'Uploads1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE uploads (
        id            uuid PRIMARY KEY,
        account_id    uuid NOT NULL REFERENCES accounts(id),
        filename      text NOT NULL,
        content_type  text NOT NULL,
        size          bigint NOT NULL CHECK (size >= 0),
        duration      double precision,
        storage_key   text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        expires_at    timestamptz NOT NULL,
        deleted_at    timestamptz
      );
      CREATE INDEX uploads_account ON uploads (account_id, created_at DESC);
      CREATE INDEX uploads_expiring ON uploads (expires_at) WHERE deleted_at IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE uploads;');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A batch: up to a hundred jobs of one operation, charged together, reported together. */
export class Batches1764100000000 implements MigrationInterface {
  name = 'Batches1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE batches (
        id            uuid PRIMARY KEY,
        account_id    uuid NOT NULL REFERENCES accounts(id),
        operation     text NOT NULL,
        status        text NOT NULL DEFAULT 'processing' CHECK (status IN ('processing', 'completed')),
        total         integer NOT NULL CHECK (total > 0),
        webhook_url   text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        completed_at  timestamptz
      );
      CREATE INDEX batches_account ON batches (account_id, created_at DESC);
      ALTER TABLE jobs ADD COLUMN batch_id uuid REFERENCES batches(id), ADD COLUMN batch_position integer;
      CREATE INDEX jobs_batch ON jobs (batch_id, batch_position) WHERE batch_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE jobs DROP COLUMN batch_id, DROP COLUMN batch_position; DROP TABLE batches;');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook deliveries become an outbox: a job's events are written in the transaction that ends
 * it, and `enqueued_at` says whether the delivery has been handed to the queue since (NULL: a
 * sweeper hands it over). Deliveries written before are taken as handed over. Indexes for the
 * retention sweeps: old deliveries, old transcripts, and ended jobs whose files are still kept.
 */
export class OutboxRetention1764400000000 implements MigrationInterface {
  name = 'OutboxRetention1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhook_deliveries ADD COLUMN enqueued_at timestamptz;
      UPDATE webhook_deliveries SET enqueued_at = created_at;
      CREATE INDEX webhook_deliveries_unsent ON webhook_deliveries (account_id, created_at) WHERE enqueued_at IS NULL;
      CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
      CREATE INDEX transcripts_created ON transcripts (created_at);
      CREATE INDEX jobs_ended_with_files ON jobs (completed_at) WHERE outputs_deleted_at IS NULL AND status IN ('failed', 'canceled');
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX jobs_ended_with_files;
      DROP INDEX transcripts_created;
      DROP INDEX webhook_deliveries_created;
      DROP INDEX webhook_deliveries_unsent;
      ALTER TABLE webhook_deliveries DROP COLUMN enqueued_at;
    `);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: one account-level endpoint, the account's signing secret (encrypted at rest, with
 * the previous one kept during a rotation), and every delivery with each of its attempts.
 */
export class Webhooks1763900000000 implements MigrationInterface {
  name = 'Webhooks1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_endpoints (
        account_id  uuid PRIMARY KEY REFERENCES accounts(id),
        url         text NOT NULL,
        events      text[] NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE webhook_secrets (
        account_id           uuid PRIMARY KEY REFERENCES accounts(id),
        secret               text NOT NULL,
        previous_secret      text,
        previous_expires_at  timestamptz,
        created_at           timestamptz NOT NULL DEFAULT now(),
        rotated_at           timestamptz
      );

      CREATE TABLE webhook_deliveries (
        id                text PRIMARY KEY,
        account_id        uuid NOT NULL REFERENCES accounts(id),
        event_type        text NOT NULL,
        job_id            uuid REFERENCES jobs(id),
        url               text NOT NULL,
        payload           jsonb NOT NULL,
        status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempt_count     integer NOT NULL DEFAULT 0,
        last_status_code  integer,
        next_attempt_at   timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        updated_at        timestamptz NOT NULL DEFAULT now(),
        delivered_at      timestamptz
      );
      CREATE INDEX webhook_deliveries_account ON webhook_deliveries (account_id, created_at DESC, id DESC);
      CREATE INDEX webhook_deliveries_job ON webhook_deliveries (job_id) WHERE job_id IS NOT NULL;

      CREATE TABLE webhook_attempts (
        id                bigserial PRIMARY KEY,
        delivery_id       text NOT NULL REFERENCES webhook_deliveries(id),
        attempted_at      timestamptz NOT NULL DEFAULT now(),
        status_code       integer,
        latency_ms        integer NOT NULL,
        response_excerpt  text,
        error             text
      );
      CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_attempts; DROP TABLE webhook_deliveries; DROP TABLE webhook_secrets; DROP TABLE webhook_endpoints;');
  }
}

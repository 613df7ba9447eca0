import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts, keys, the credit ledger, jobs and idempotency records.
 * Money invariants live in the database, not only in code:
 * - ledger entries are append-only (a trigger refuses UPDATE and DELETE);
 * - an account's cached balance can never go below zero (CHECK);
 * - a job is refunded at most once, and an external reference (a Stripe event, a grant's
 *   idempotency key) credits at most once (partial unique indexes).
 */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts (
        id          uuid PRIMARY KEY,
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        balance     bigint NOT NULL DEFAULT 0 CONSTRAINT balance_not_negative CHECK (balance >= 0),
        created_at  timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE api_keys (
        id           uuid PRIMARY KEY,
        account_id   uuid NOT NULL REFERENCES accounts(id),
        key_hash     bytea NOT NULL UNIQUE,
        prefix       text NOT NULL,
        last4        text NOT NULL,
        name         text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        revoked_at   timestamptz
      );
      CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

      CREATE TABLE jobs (
        id                 uuid PRIMARY KEY,
        account_id         uuid NOT NULL REFERENCES accounts(id),
        type               text NOT NULL,
        status             text NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'canceled')),
        progress           smallint NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        platform           text,
        input              jsonb NOT NULL,
        result             jsonb,
        error              jsonb,
        outputs            jsonb NOT NULL DEFAULT '[]',
        credits_charged    integer NOT NULL CHECK (credits_charged >= 0),
        credits_refunded   integer NOT NULL DEFAULT 0 CHECK (credits_refunded >= 0),
        attempts           integer NOT NULL DEFAULT 0,
        created_at         timestamptz NOT NULL DEFAULT now(),
        started_at         timestamptz,
        completed_at       timestamptz,
        updated_at         timestamptz NOT NULL DEFAULT now(),
        expires_at         timestamptz,
        outputs_deleted_at timestamptz,
        CHECK (credits_refunded <= credits_charged)
      );
      CREATE INDEX jobs_account_created ON jobs (account_id, created_at DESC, id DESC);
      CREATE INDEX jobs_unfinished ON jobs (created_at) WHERE status IN ('pending', 'processing');
      CREATE INDEX jobs_expiring ON jobs (expires_at) WHERE outputs_deleted_at IS NULL AND expires_at IS NOT NULL;

      CREATE TABLE ledger_entries (
        id             bigserial PRIMARY KEY,
        account_id     uuid NOT NULL REFERENCES accounts(id),
        amount         bigint NOT NULL CHECK (amount <> 0),
        kind           text NOT NULL CHECK (kind IN ('grant', 'purchase', 'charge', 'refund')),
        job_id         uuid REFERENCES jobs(id),
        reference      text,
        reason         text,
        balance_after  bigint NOT NULL CHECK (balance_after >= 0),
        created_at     timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind IN ('grant', 'purchase', 'refund')) = (amount > 0))
      );
      CREATE INDEX ledger_account ON ledger_entries (account_id, id DESC);
      CREATE UNIQUE INDEX ledger_one_refund_per_job ON ledger_entries (job_id) WHERE kind = 'refund';
      CREATE UNIQUE INDEX ledger_reference_once ON ledger_entries (reference) WHERE reference IS NOT NULL;

      CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_entries is append-only (% refused)', TG_OP;
      END $$;
      CREATE TRIGGER ledger_entries_append_only
        BEFORE UPDATE OR DELETE ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
      CREATE TRIGGER ledger_entries_no_truncate
        BEFORE TRUNCATE ON ledger_entries
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_append_only();

      CREATE TABLE idempotency_keys (
        account_id    uuid NOT NULL REFERENCES accounts(id),
        key           text NOT NULL,
        request_hash  text NOT NULL,
        status_code   integer NOT NULL,
        response      jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, key)
      );
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE idempotency_keys;
      DROP TABLE ledger_entries;
      DROP FUNCTION ledger_entries_append_only;
      DROP TABLE jobs;
      DROP TABLE api_keys;
      DROP TABLE accounts;
    `);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Credit packs bought through Stripe Checkout.
 * - `checkout_sessions`: every session this installation created, with the pack it sells; the
 *   only way a Stripe event can credit anything. `credits_reversed` is what refunds and disputes
 *   took back so far (each event moves it to a cumulative target, so replays take nothing more).
 * - `stripe_events`: every event processed, once (its id is the key), with what it did.
 * - `accounts.credits_owed`: what a refund or dispute could not take back because it was already
 *   spent; while it is above zero the account starts no paid work, and credits that arrive pay it
 *   first.
 * - ledger kind `reversal`: credits a refund or dispute took back (negative, like a charge).
 */
export class Billing1764700000000 implements MigrationInterface {
  name = 'Billing1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE accounts ADD COLUMN credits_owed bigint NOT NULL DEFAULT 0 CONSTRAINT credits_owed_not_negative CHECK (credits_owed >= 0);

      ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
      ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_check;
      ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check
        CHECK (kind IN ('grant', 'purchase', 'charge', 'refund', 'reversal'));
      ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_check
        CHECK ((kind IN ('grant', 'purchase', 'refund')) = (amount > 0));

      CREATE TABLE checkout_sessions (
        id               text PRIMARY KEY,
        account_id       uuid NOT NULL REFERENCES accounts(id),
        pack_id          text NOT NULL,
        credits          bigint NOT NULL CHECK (credits > 0),
        amount           bigint NOT NULL CHECK (amount >= 0),
        currency         text NOT NULL,
        status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'refunded', 'expired', 'failed')),
        payment_intent   text,
        amount_refunded  bigint NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
        amount_disputed  bigint NOT NULL DEFAULT 0 CHECK (amount_disputed >= 0),
        credits_reversed bigint NOT NULL DEFAULT 0 CHECK (credits_reversed >= 0),
        created_at       timestamptz NOT NULL DEFAULT now(),
        paid_at          timestamptz,
        updated_at       timestamptz NOT NULL DEFAULT now(),
        CHECK (credits_reversed <= credits)
      );
      CREATE INDEX checkout_sessions_account ON checkout_sessions (account_id, created_at DESC, id DESC);
      CREATE UNIQUE INDEX checkout_sessions_payment_intent ON checkout_sessions (payment_intent) WHERE payment_intent IS NOT NULL;

      CREATE TABLE stripe_events (
        id           text PRIMARY KEY,
        type         text NOT NULL,
        session_id   text,
        outcome      text NOT NULL,
        received_at  timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE stripe_events;
      DROP TABLE checkout_sessions;
      ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_kind_check;
      ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_check;
      ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_kind_check CHECK (kind IN ('grant', 'purchase', 'charge', 'refund'));
      ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_check CHECK ((kind IN ('grant', 'purchase', 'refund')) = (amount > 0));
      ALTER TABLE accounts DROP COLUMN credits_owed;
    `);
  }
}

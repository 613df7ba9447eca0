import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GET /v1/account/usage reads an account's jobs in a time range, and its charges that made no job
 * (synchronous requests), grouped by day, operation or platform. Both indexes carry every column
 * the report needs, so it is an index-only range scan of the account's slice, however many jobs
 * other accounts have.
 */
export class Usage1764700000001 implements MigrationInterface {
  name = 'Usage1764700000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX jobs_account_usage ON jobs (account_id, created_at) INCLUDE (type, platform, credits_charged, credits_refunded);
      CREATE INDEX ledger_request_charges ON ledger_entries (account_id, created_at) INCLUDE (amount, reason) WHERE kind = 'charge' AND job_id IS NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ledger_request_charges; DROP INDEX jobs_account_usage;');
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Transcripts an account owns: asking again for the same source, language and provider is free. */
export class Transcripts1764200000000 implements MigrationInterface {
  name = 'Transcripts1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE transcripts (
        id          uuid PRIMARY KEY,
        account_id  uuid NOT NULL REFERENCES accounts(id),
        source_key  text NOT NULL,
        language    text NOT NULL,
        provider    text NOT NULL,
        job_id      uuid NOT NULL REFERENCES jobs(id),
        transcript  jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, source_key, language, provider)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE transcripts;');
  }
}

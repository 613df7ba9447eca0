import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fingerprint library: each completed fingerprint job's fingerprint, and its per-second video
 * hashes split into four 16-bit bands, each indexed per account, so a search finds near copies
 * by exact band lookups instead of reading every stored hash.
 */
export class Fingerprints1764500000000 implements MigrationInterface {
  name = 'Fingerprints1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE fingerprints (
        job_id      uuid PRIMARY KEY REFERENCES jobs(id),
        account_id  uuid NOT NULL REFERENCES accounts(id),
        duration    double precision,
        video       jsonb,
        audio       jsonb,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX fingerprints_account ON fingerprints (account_id, created_at DESC);
      CREATE TABLE fingerprint_frames (
        job_id      uuid NOT NULL REFERENCES fingerprints(job_id) ON DELETE CASCADE,
        account_id  uuid NOT NULL,
        second      integer NOT NULL,
        hash        bigint NOT NULL,
        b0 integer NOT NULL, b1 integer NOT NULL, b2 integer NOT NULL, b3 integer NOT NULL,
        PRIMARY KEY (job_id, second)
      );
      CREATE INDEX fingerprint_frames_b0 ON fingerprint_frames (account_id, b0);
      CREATE INDEX fingerprint_frames_b1 ON fingerprint_frames (account_id, b1);
      CREATE INDEX fingerprint_frames_b2 ON fingerprint_frames (account_id, b2);
      CREATE INDEX fingerprint_frames_b3 ON fingerprint_frames (account_id, b3);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE fingerprint_frames; DROP TABLE fingerprints;');
  }
}

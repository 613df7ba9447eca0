import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a job keeps when it is canceled while it runs. Null keeps everything it was charged
 * (a flat price); a per-minute job keeps its base price plus what it has committed to since
 * (minutes already sent to a paid provider), and the rest of its reservation goes back.
 */
export class JobCommitments1764300000000 implements MigrationInterface {
  name = 'JobCommitments1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE jobs ADD COLUMN credits_committed integer CHECK (credits_committed >= 0);');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE jobs DROP COLUMN credits_committed;');
  }
}

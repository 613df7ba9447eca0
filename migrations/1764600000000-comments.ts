import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The comments of completed comments jobs, one row each in the order they are returned (as JSON text, keys in their order), so a
 * page of them is one index range scan whatever their number. Written in the job's completion
 * transaction; deleted with the job's outputs.
 */
export class Comments1764600000000 implements MigrationInterface {
  name = 'Comments1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_comments (
        job_id    uuid NOT NULL REFERENCES jobs(id),
        position  integer NOT NULL CHECK (position >= 0),
        comment   json NOT NULL,
        PRIMARY KEY (job_id, position)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE job_comments;');
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { SqlRunner } from '../../core/jobs/job-handler.js';
import { firstRow, rows } from '../../platform/database/sql.js';
import type { Fingerprint } from './fingerprint.job.js';
import { bands, toBigintText } from './phash.js';

/** A library entry: a fingerprint and the job (and source) it came from. */
export interface LibraryEntry {
  jobId: string;
  fingerprint: Fingerprint;
  source: { url: string | null; upload_id: string | null };
}

/** A library entry that shares near-identical frames with a query, and the offset most of them agree on. */
export interface Candidate {
  jobId: string;
  votes: number;
}

/**
 * How many of a query's seconds look for candidates. The cost of a search grows with them (four
 * index lookups each), and the candidates are then compared in full, so a long query is sampled:
 * its distinct hashes, evenly spread. A copy shares many seconds with the query, so it is still
 * found; a library entry that shares less than one sampled stretch (duration / 32 seconds) of a
 * long query may not be.
 */
export const QUERY_FRAMES = 32;

/** The query's seconds that look for candidates: non-empty, distinct hashes, at most QUERY_FRAMES, evenly spread. */
export function queryFrames(hashes: Array<string | null>): Array<{ hash: string; second: number }> {
  const seen = new Set<string>();
  const frames: Array<{ hash: string; second: number }> = [];
  hashes.forEach((hash, second) => {
    if (hash === null || seen.has(hash)) return;
    seen.add(hash);
    frames.push({ hash, second });
  });
  if (frames.length <= QUERY_FRAMES) return frames;
  return Array.from({ length: QUERY_FRAMES }, (_, i) => frames[Math.floor((i * frames.length) / QUERY_FRAMES)]!);
}

/** The account's fingerprint library (never another account's). */
@Injectable()
export class FingerprintRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Adds a job's fingerprint, in the job's completion transaction. */
  async save(tx: SqlRunner, jobId: string, accountId: string, fp: Fingerprint): Promise<void> {
    await tx.query('INSERT INTO fingerprints (job_id, account_id, duration, video, audio) VALUES ($1, $2, $3, $4, $5)', [
      jobId, accountId, fp.duration, fp.video ? JSON.stringify(fp.video) : null, fp.audio ? JSON.stringify(fp.audio) : null,
    ]);
    const frames = (fp.video?.hashes ?? []).map((hash, second) => ({ hash, second })).filter((f): f is { hash: string; second: number } => f.hash !== null);
    if (frames.length === 0) return;
    const b = frames.map((f) => bands(f.hash));
    await tx.query(
      `INSERT INTO fingerprint_frames (job_id, account_id, second, hash, b0, b1, b2, b3)
       SELECT $1, $2, * FROM unnest($3::int[], $4::bigint[], $5::int[], $6::int[], $7::int[], $8::int[])`,
      [jobId, accountId, frames.map((f) => f.second), frames.map((f) => toBigintText(f.hash)), b.map((x) => x[0]), b.map((x) => x[1]), b.map((x) => x[2]), b.map((x) => x[3])],
    );
  }

  /** One of the account's fingerprints, with its source; null when there is none (or it was deleted). */
  find(accountId: string, jobId: string): Promise<LibraryEntry | null> {
    return firstRow(
      this.db,
      `SELECT f.job_id, f.duration, f.video, f.audio, j.input->>'url' AS url, j.input->>'upload_id' AS upload_id
       FROM fingerprints f JOIN jobs j ON j.id = f.job_id WHERE f.account_id = $1 AND f.job_id = $2`,
      [accountId, jobId],
      toEntry,
    );
  }

  findMany(accountId: string, jobIds: string[]): Promise<LibraryEntry[]> {
    return rows(
      this.db,
      `SELECT f.job_id, f.duration, f.video, f.audio, j.input->>'url' AS url, j.input->>'upload_id' AS upload_id
       FROM fingerprints f JOIN jobs j ON j.id = f.job_id WHERE f.account_id = $1 AND f.job_id = ANY($2::uuid[])`,
      [accountId, jobIds],
      toEntry,
    );
  }

  /**
   * Library entries with frames within `bits` of the query's: one indexed lookup per band (a near
   * copy within 3 bits always shares one), verified with the XOR's bit count, grouped by the
   * offset they agree on; the entries with the most agreeing frames first.
   */
  candidates(accountId: string, hashes: Array<string | null>, bits: number, limit: number, exclude: string | null): Promise<Candidate[]> {
    const q = queryFrames(hashes);
    if (q.length === 0) return Promise.resolve([]);
    const b = q.map((f) => bands(f.hash));
    const band = (n: number) =>
      `SELECT f.job_id, f.second AS fs, q.second AS qs FROM q JOIN fingerprint_frames f ON f.account_id = $1 AND f.b${n} = q.b${n}
       WHERE bit_count((f.hash # q.hash)::bit(64)) <= $8 AND f.job_id IS DISTINCT FROM $9`;
    // UNION, not UNION ALL: a pair of frames sharing several bands votes once.
    return rows(
      this.db,
      `WITH q AS (SELECT * FROM unnest($2::int[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::int[]) AS q(second, hash, b0, b1, b2, b3)),
       pairs AS (${[0, 1, 2, 3].map(band).join(' UNION ')}),
       votes AS (SELECT job_id, fs - qs AS shift, count(*) AS n FROM pairs GROUP BY job_id, fs - qs)
       SELECT job_id, max(n)::int AS votes FROM votes GROUP BY job_id ORDER BY votes DESC LIMIT $10`,
      [accountId, q.map((f) => f.second), q.map((f) => toBigintText(f.hash)), b.map((x) => x[0]), b.map((x) => x[1]), b.map((x) => x[2]), b.map((x) => x[3]), bits, exclude, limit],
      (r) => ({ jobId: r.job_id as string, votes: r.votes as number }),
    );
  }

  /** Removes a job's fingerprint from the library (the account deleted the job). */
  async delete(accountId: string, jobId: string): Promise<void> {
    await this.db.query('DELETE FROM fingerprints WHERE account_id = $1 AND job_id = $2', [accountId, jobId]);
  }
}

function toEntry(r: Record<string, unknown>): LibraryEntry {
  return {
    jobId: r.job_id as string,
    // Written by save() above from a Fingerprint; jsonb gives it back as it was.
    fingerprint: { duration: r.duration as number | null, video: (r.video as Fingerprint['video']) ?? null, audio: (r.audio as Fingerprint['audio']) ?? null },
    source: { url: (r.url as string | null) ?? null, upload_id: (r.upload_id as string | null) ?? null },
  };
}

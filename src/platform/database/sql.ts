import type { DataSource, QueryRunner } from 'typeorm';

export type Queryable = Pick<DataSource, 'query'> | QueryRunner;
export type Row = Record<string, unknown>;

/**
 * The rows of any statement, mapped: TypeORM returns SELECT and INSERT rows as an array but
 * UPDATE and DELETE as `[rows, affected]`; callers see rows either way.
 */
export async function rows<T>(q: Queryable, sql: string, params: readonly unknown[], map: (row: Row) => T): Promise<T[]> {
  const raw = (await q.query(sql, params as unknown[])) as Row[] | [Row[], number];
  const list = Array.isArray(raw[0]) ? (raw[0] as Row[]) : (raw as Row[]);
  return list.map(map);
}

/** The first row of a statement, mapped, or null. */
export async function firstRow<T>(q: Queryable, sql: string, params: readonly unknown[], map: (row: Row) => T): Promise<T | null> {
  return (await rows(q, sql, params, map))[0] ?? null;
}

/** What a transaction's work returns to be rolled back although nothing failed. */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `work` in one transaction on one pooled connection: committed, or rolled back on error
 * or when the work returns a `Rollback`.
 */
export async function transaction<T>(db: DataSource, work: (q: QueryRunner) => Promise<T | Rollback<T>>): Promise<T> {
  const q = db.createQueryRunner();
  await q.connect();
  try {
    await q.startTransaction();
    const result = await work(q);
    if (result instanceof Rollback) {
      await q.rollbackTransaction();
      return result.value;
    }
    await q.commitTransaction();
    return result;
  } catch (err) {
    if (q.isTransactionActive) await q.rollbackTransaction();
    throw err;
  } finally {
    await q.release();
  }
}

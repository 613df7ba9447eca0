/**
 * SQL for the per-key monthly spending cap. Each key's net spend per calendar month (UTC) is one
 * `api_key_spend` row, changed only inside the statements that move the money: a charge adds to
 * it when it stays within the key's limit, a refund takes back from the month the job was
 * charged in. The row lock an upsert takes serializes concurrent charges of one key, so a cap
 * can never be overrun, however many requests race for it.
 */

/** The current month, as stored. */
export const CURRENT_MONTH = `(date_trunc('month', now() AT TIME ZONE 'UTC'))::date`;

/** The month a job's money counts in: the month it was created (and charged) in. */
export const jobMonth = (createdAt: string): string => `(date_trunc('month', ${createdAt} AT TIME ZONE 'UTC'))::date`;

/**
 * A CTE named `cap` adding `amount` to `key`'s spend in `month`; it returns a row only when the
 * key's limit allows it. Nothing happens for a null key (no API key: the CLI, internal work).
 * The statement must debit only when `spendAllowed(key)`, and the caller roll back a refused
 * debit, since the upsert may already have counted it.
 */
export const spendCap = (key: string, amount: string, month: string): string => `
  cap AS (
    INSERT INTO api_key_spend AS s (key_id, month, credits)
    SELECT k.id, ${month}, ${amount} FROM api_keys k
    WHERE k.id = ${key}::uuid AND (k.monthly_credit_limit IS NULL OR ${amount} <= k.monthly_credit_limit)
    ON CONFLICT (key_id, month) DO UPDATE SET credits = s.credits + EXCLUDED.credits
    WHERE s.credits + EXCLUDED.credits <= coalesce((SELECT monthly_credit_limit FROM api_keys WHERE id = s.key_id), s.credits + EXCLUDED.credits)
    RETURNING s.key_id
  )`;

/** True when there is no key, or the `cap` CTE counted the spend. */
export const spendAllowed = (key: string): string => `(${key}::uuid IS NULL OR EXISTS (SELECT 1 FROM cap))`;

/** Gives `amount` back to the spend of the key that paid for job `job` (a refund). */
export const refundSpend = (job: string, amount: string): string => `
  UPDATE api_key_spend s SET credits = s.credits - ${amount}
  FROM jobs j WHERE j.id = ${job} AND ${amount} > 0 AND s.key_id = j.api_key_id AND s.month = ${jobMonth('j.created_at')}`;

/**
 * The usage report's query, pure so that the benchmark runs exactly what the API runs: an
 * account's jobs created in [from, to) (what they were charged and refunded), and its charges
 * that made no job (synchronous requests such as /v1/info, under their reason), grouped by one key.
 */
export const USAGE_GROUPS = ['day', 'operation', 'platform'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

const KEYS: Record<UsageGroup, { job: string; request: string }> = {
  // Grouped as dates (cheaper than formatting every row); the outer query turns each into YYYY-MM-DD.
  day: { job: `(created_at AT TIME ZONE 'UTC')::date`, request: `(created_at AT TIME ZONE 'UTC')::date` },
  operation: { job: 'type', request: 'reason' },
  platform: { job: 'platform', request: 'NULL::text' },
};

/** Parameters: $1 account id, $2 from (inclusive), $3 to (exclusive). */
export function usageSql(group: UsageGroup): string {
  const key = KEYS[group];
  return `
    SELECT k::text AS key, sum(jobs)::bigint AS jobs, sum(charged)::bigint AS charged, sum(refunded)::bigint AS refunded
    FROM (
      SELECT ${key.job} AS k, count(*) AS jobs, sum(credits_charged) AS charged, sum(credits_refunded) AS refunded
      FROM jobs WHERE account_id = $1 AND created_at >= $2 AND created_at < $3
      GROUP BY 1
      UNION ALL
      SELECT ${key.request} AS k, 0, sum(-amount), 0
      FROM ledger_entries WHERE account_id = $1 AND kind = 'charge' AND job_id IS NULL AND created_at >= $2 AND created_at < $3
      GROUP BY 1
    ) parts
    GROUP BY k
    ORDER BY k NULLS LAST`;
}

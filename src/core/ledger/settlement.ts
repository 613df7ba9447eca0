/**
 * Settlement rules: what of a job's charge goes back when the job ends. Pure, so the rules are
 * specified by unit tests; the repository applies them inside the job's locked transaction.
 */
export interface ChargedJob {
  status: string;
  credits_charged: number;
  credits_refunded: number;
  /** What a cancel while running keeps (a per-minute job's base and what it committed to); null keeps all. */
  credits_committed?: number | null;
}

/**
 * A job that ends without completing: a failure is never the caller's fault; a cancel is
 * refunded in full if no work started, and otherwise gives back what the job had reserved but
 * not committed to (the unprocessed minutes of a per-minute job; nothing of a flat price).
 */
export function refundOnEnd(job: ChargedJob, ending: 'failed' | 'canceled'): number {
  const refundable = job.credits_charged - job.credits_refunded;
  if (ending === 'failed' || job.status === 'pending') return refundable;
  const kept = Math.min(job.credits_charged, job.credits_committed ?? job.credits_charged);
  return Math.max(0, Math.min(refundable, job.credits_charged - kept));
}

/** What completed work is billed: its cost rounded up to whole credits, never negative. */
export function billedCost(cost: number): number {
  return Math.max(0, Math.ceil(cost));
}

/** A completed job keeps what its work cost and refunds the rest of what it reserved, never more. */
export function refundOnCompletion(job: ChargedJob, cost: number): number {
  const unused = job.credits_charged - billedCost(cost);
  return Math.max(0, Math.min(unused, job.credits_charged - job.credits_refunded));
}

/**
 * `refundOnCompletion` as a SQL expression over a `jobs` row's columns, for the one statement
 * that completes a job; `billed` is the placeholder holding `billedCost(cost)`. The unit spec
 * checks that it computes what the function does.
 */
export function refundOnCompletionSql(billed: string): string {
  return `GREATEST(0, LEAST(credits_charged - ${billed}, credits_charged - credits_refunded))`;
}

/**
 * Settlement rules: what of a job's charge goes back when the job ends. Pure, so the rules are
 * specified by unit tests; the repository applies them inside the job's locked transaction.
 */
export interface ChargedJob {
  status: string;
  credits_charged: number;
  credits_refunded: number;
}

/** A job that ends without completing: a failure is never the caller's fault; a cancel is refunded if no work started. */
export function refundOnEnd(job: ChargedJob, ending: 'failed' | 'canceled'): number {
  const refundable = job.credits_charged - job.credits_refunded;
  return ending === 'failed' || job.status === 'pending' ? refundable : 0;
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

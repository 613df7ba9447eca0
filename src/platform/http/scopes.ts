/**
 * What an API key may do. A key holds a subset (all of them unless it was minted with fewer);
 * every authenticated route names the one scope it needs.
 * - `jobs:write`: anything that spends credits or changes work: /v1/info, every job and batch
 *   submission, uploads, canceling and deleting jobs.
 * - `jobs:read`: jobs, their events, outputs, comments and batches; fingerprint compare and search.
 * - `account:read`: the balance, ledger and usage.
 * - `keys:manage`: API keys and the webhook endpoint, its signing secret and deliveries.
 * - `billing`: credit packs, checkouts and payments.
 */
export const SCOPES = ['jobs:write', 'jobs:read', 'account:read', 'keys:manage', 'billing'] as const;

export type Scope = (typeof SCOPES)[number];

/** The scopes a key holds: null (a key minted without a list) holds all. */
export function scopesOf(stored: readonly string[] | null): Scope[] {
  return stored === null ? [...SCOPES] : SCOPES.filter((s) => stored.includes(s));
}

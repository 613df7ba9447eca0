/**
 * Every error a client can see has a stable `code`; this table is the only place that maps a
 * code to its HTTP status and title. Services throw `AppError`; one filter renders problem+json.
 */
export const ERRORS = {
  malformed_request: { status: 400, title: 'Malformed request' },
  invalid_signature: { status: 400, title: 'Invalid signature' },
  missing_api_key: { status: 401, title: 'Missing API key' },
  invalid_api_key: { status: 401, title: 'Invalid API key' },
  insufficient_credits: { status: 402, title: 'Insufficient credits' },
  credits_owed: { status: 402, title: 'Credits owed' },
  key_limit_reached: { status: 402, title: 'Key limit reached' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  file_too_large: { status: 413, title: 'File too large' },
  url_too_long: { status: 414, title: 'URL too long' },
  unsupported_media: { status: 415, title: 'Unsupported media' },
  validation_failed: { status: 422, title: 'Validation failed' },
  unsupported_url: { status: 422, title: 'Unsupported URL' },
  url_not_allowed: { status: 422, title: 'URL not allowed' },
  media_unavailable: { status: 422, title: 'Media unavailable' },
  media_too_long: { status: 422, title: 'Media too long' },
  unsupported_language: { status: 422, title: 'Unsupported language' },
  rate_limited: { status: 429, title: 'Rate limit exceeded' },
  headers_too_large: { status: 431, title: 'Request headers too large' },
  internal_error: { status: 500, title: 'Internal error' },
  upstream_failed: { status: 502, title: 'Upstream failed' },
  service_unavailable: { status: 503, title: 'Service unavailable' },
  billing_unavailable: { status: 503, title: 'Billing unavailable' },
  storage_unavailable: { status: 507, title: 'Storage unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Codes that mean "this input will never work": a job failing with one is not retried. */
export const FINAL_ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'unsupported_url',
  'url_not_allowed',
  'media_unavailable',
  'media_too_long',
  'file_too_large',
  'unsupported_media',
  'unsupported_language',
  'validation_failed',
  // The job needed more than it was charged and the balance could not pay: retrying changes nothing.
  'insufficient_credits',
]);

/** File-system errors that say the storage itself is full, read-only or failing: the operator's to fix, never the caller's. */
const STORAGE_FAULTS = new Set(['ENOSPC', 'EROFS', 'EDQUOT', 'EIO', 'EACCES', 'EPERM']);

export function isStorageFault(error: unknown): boolean {
  const e = error as { code?: string; syscall?: string } | null;
  return !!e?.syscall && STORAGE_FAULTS.has(e.code ?? '');
}

/** Postgres or Redis could not be reached in time (pool wait, refused, dropped or silent connection): nobody's fault but the moment's. */
export function isDependencyDown(error: unknown): boolean {
  const e = error as { code?: string; message?: string; driverError?: { code?: string; message?: string } } | null;
  const code = e?.driverError?.code ?? e?.code ?? '';
  const message = e?.driverError?.message ?? e?.message ?? '';
  return (
    // Postgres: class 08 is "connection exception"; 57P01-03 a server shutting down, crashed or starting; 53300 too many connections.
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '53300'].includes(code) ||
    code.startsWith('08') ||
    /timeout exceeded when trying to connect|Query read timeout|Connection terminated|connection timeout|not queryable|Command timed out|Connection is closed|enableOfflineQueue|max retries per request/i.test(message)
  );
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    /** Extra problem members, e.g. `{required: 3, available: 1}` or `{errors: [...]}`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message ?? ERRORS[code].title);
    this.name = 'AppError';
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  [member: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return `urn:mediary:error:${code}`;
}

export function toProblem(error: AppError, instance?: string): Problem {
  const { status, title } = ERRORS[error.code];
  return {
    ...error.extra,
    type: problemType(error.code),
    title,
    status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
  };
}

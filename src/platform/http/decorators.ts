import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtension, ApiExtraModels, ApiHeader, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { RateClass } from '../../config.js';
import { ProblemDto } from './problem.dto.js';
import type { Scope } from './scopes.js';


export const PUBLIC_ROUTE = 'mediary:public';
export const RATE_CLASS = 'mediary:rate-class';
export const REQUIRED_SCOPE = 'mediary:scope';

export interface AuthedRequest extends FastifyRequest {
  accountId?: string;
  keyId?: string;
}

/** No API key needed (health, docs, signed file links). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Which rate-limit bucket a route counts against (default `read`). */
export const RateClassOf = (c: RateClass) => SetMetadata(RATE_CLASS, c);

/** The authenticated account's id. */
export const AccountId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const id = ctx.switchToHttp().getRequest<AuthedRequest>().accountId;
  if (!id) throw new Error('AccountId used on a public route');
  return id;
});

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } };

const problem = (status: number, description: string, headers?: Record<string, { description: string; schema: { type: 'integer' } }>) =>
  ApiResponse({ status, description, content: PROBLEM_CONTENT, ...(headers ? { headers } : {}) });

const RATE_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed per minute for this endpoint class', schema: { type: 'integer' as const } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' as const } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' as const } },
};
const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' as const } } };

/** What each error status means when an operation says nothing more specific. */
const ERROR_DOCS: Record<number, string> = {
  400: 'Not valid HTTP or an unreadable URL (`malformed_request`)',
  401: 'Missing or invalid API key (`missing_api_key`, `invalid_api_key`)',
  402: 'Not enough credits; nothing was charged (`insufficient_credits`, with `required` and `available`), credits owed after a refund or dispute (`credits_owed`, with `owed`), or the key’s monthly credit limit reached (`key_limit_reached`, with `limit` and `spent`)',
  403: 'The API key lacks the scope this operation needs (`forbidden`, with `scope`)',
  404: 'No such resource for this account (`not_found`)',
  409: 'Idempotency-Key reused with a different request (`conflict`)',
  413: 'The request body is larger than allowed (`file_too_large`)',
  414: 'A part of the path is longer than any id (`url_too_long`)',
  422: 'Invalid input (`validation_failed`, with `errors` per field)',
  429: 'Rate limited (`rate_limited`); see `Retry-After`',
  431: 'Request line or headers too large (`headers_too_large`)',
  500: 'Unexpected error (`internal_error`, with `error_id`)',
  502: 'The site or a provider failed (`upstream_failed`); refunded',
  503: 'Postgres or Redis is unavailable; nothing was charged (`service_unavailable`); see `Retry-After`. Billing without Stripe configured: `billing_unavailable`',
  507: 'The server’s storage is full or read-only; nothing was charged (`storage_unavailable`)',
};

/** Error statuses with this operation's own description, or with the common one (`true`). */
export type ErrorDocs = Partial<Record<keyof typeof ERROR_DOCS, string | true>>;

/** Statuses any request can get before an operation runs: malformed HTTP, NULs or bad JSON, huge headers, a fault. */
const ANY_REQUEST: ErrorDocs = { 400: true, 422: true, 431: true, 500: true };

function errorResponses(docs: ErrorDocs): MethodDecorator[] {
  return Object.entries(docs).map(([code, doc]) => {
    const status = Number(code);
    const description = doc === true || doc === undefined ? ERROR_DOCS[status]! : doc;
    if (status === 429) return problem(status, description, { ...RATE_HEADERS, ...RETRY_AFTER });
    if (status === 503) return problem(status, description, RETRY_AFTER);
    return problem(status, description);
  });
}

/** Documents the error answers of a public endpoint (no API key): `docs` adds the operation's own. */
export const PublicEndpoint = (docs: ErrorDocs = {}) => applyDecorators(ApiExtraModels(ProblemDto), ...errorResponses({ ...ANY_REQUEST, ...docs }));

/**
 * An endpoint that needs an API key holding `scope` (403 `forbidden` otherwise), documented with
 * the errors it can answer: those of any request, the key, scope and rate-limit checks (401, 403,
 * 429, 503 when Redis or Postgres is down), plus `docs`, the operation's own, each with its own
 * description or `true` for the common one. The scope is also in the document (`x-required-scope`).
 */
export const AuthedEndpoint = (scope: Scope, docs: ErrorDocs = {}) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    ApiExtension('x-required-scope', scope),
    ApiExtraModels(ProblemDto),
    ...errorResponses({ ...ANY_REQUEST, 401: true, 403: `The API key lacks the \`${scope}\` scope (\`forbidden\`)`, 429: true, 503: true, ...docs }),
  );

/** The optional Idempotency-Key header of POST endpoints. */
export const IdempotentEndpoint = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Repeat a POST safely: the same key and body return the first response and charge nothing more; the same key with another body answers 409 `conflict`. Keys are kept 24 h.',
    schema: { type: 'string', maxLength: 255 },
  });

/** Request schemas that need exactly one of some fields (by schema name, which is the class name), for the OpenAPI document. */
export const ONE_OF_REQUIRED = new Map<string, string[]>();

/**
 * Documents that a request body needs exactly one of `fields` (the service checks it): typed
 * clients then refuse a body with none of them.
 */
export const OneOfRequired =
  (...fields: string[]): ClassDecorator =>
  (target) => {
    ONE_OF_REQUIRED.set(target.name, fields);
  };

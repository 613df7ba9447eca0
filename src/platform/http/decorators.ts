import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { RateClass } from '../../config.js';
import { ProblemDto } from './problem.dto.js';


export const PUBLIC_ROUTE = 'mediary:public';
export const RATE_CLASS = 'mediary:rate-class';

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

const problem = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } } });

const RATE_HEADERS = {
  'X-RateLimit-Limit': { description: 'Requests allowed per minute for this endpoint class', schema: { type: 'integer' } },
  'X-RateLimit-Remaining': { description: 'Requests left in the current window', schema: { type: 'integer' } },
  'X-RateLimit-Reset': { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};

/** Documents the errors every authenticated endpoint can answer, and the rate-limit headers. */
export const AuthedEndpoint = (...extra: number[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDto),
    problem(401, 'Missing or invalid API key (`missing_api_key`, `invalid_api_key`)'),
    ApiResponse({
      status: 429,
      description: 'Rate limited (`rate_limited`)',
      headers: { ...RATE_HEADERS, 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
    }),
    problem(500, 'Unexpected error (`internal_error`, with `error_id`)'),
    ...extra.map((status) => problem(status, EXTRA[status] ?? 'Error')),
  );

const EXTRA: Record<number, string> = {
  402: 'Not enough credits (`insufficient_credits`, with `required` and `available`)',
  404: 'No such resource for this account (`not_found`)',
  409: 'Idempotency-Key reused with a different request (`conflict`)',
  413: 'Too large (`file_too_large`)',
  422: 'Invalid input (`validation_failed` with `errors`, `unsupported_url`, `url_not_allowed`, `media_unavailable`, `media_too_long`)',
  502: 'The site failed (`upstream_failed`)',
  503: 'A dependency is down; nothing was charged (`service_unavailable`)',
};

/** The optional Idempotency-Key header of POST endpoints. */
export const IdempotentEndpoint = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Repeat a POST safely: the same key and body return the first response and charge nothing more; the same key with another body answers 409 `conflict`. Keys are kept 24 h.',
    schema: { type: 'string', maxLength: 255 },
  });

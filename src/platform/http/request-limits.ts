import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, toProblem } from '../../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The JSON body reaches the handler as the Buffer received (see installRequestLimits). */
    rawBody?: boolean;
  }
}

/** Deepest nesting of objects and arrays a JSON body may have; no request of ours needs more than a few. */
export const MAX_JSON_DEPTH = 32;

/** Whether JSON text nests objects and arrays deeper than `limit` (strings skipped; linear, no recursion). */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Whether any string in a parsed value (keys included) holds a NUL, which Postgres text cannot store. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
  return false;
}

/**
 * Input checks that come before any validation: JSON bodies are parsed by Fastify's own parser
 * (prototype poisoning refused) only when they are not nested absurdly deep, and no body or URL may
 * carry a NUL. Each is a 422 problem, never a stack overflow or a database error.
 */
export function installRequestLimits(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, raw, done) => {
    // A route that verifies a signature over the exact bytes (`@RouteConfig({ rawBody: true })`) gets them unparsed.
    if (req.routeOptions.config?.rawBody === true) {
      done(null, raw);
      return;
    }
    const body = (raw as Buffer).toString('utf8');
    if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
      done(new AppError('validation_failed', `The JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    // Fastify's default JSON parser is the callback form (its type also allows a promise form).
    void parseJson(req, body, (err, value) => {
      if (err) done(err, undefined);
      else if (containsNul(value)) done(new AppError('validation_failed', 'Text in the body may not contain NUL characters'), undefined);
      else done(null, value);
    });
  });
  fastify.addHook('onRequest', async (req) => {
    if (/%00/i.test(req.url)) throw new AppError('validation_failed', 'The URL may not contain NUL characters');
  });
}

/** What Fastify's router refuses before any route (a malformed or over-long path) is a problem too. */
export function frameworkErrors(error: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const problem =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? toProblem(new AppError('url_too_long', 'A part of the path is longer than any id or file name'))
      : toProblem(new AppError('malformed_request', 'The URL is not valid'));
  void reply.code(problem.status).type('application/problem+json').send(problem);
}

/**
 * Requests Node's HTTP parser refuses before any route sees them (headers or URL too long,
 * control characters in a header) still get a problem+json answer, then the socket is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? toProblem(new AppError('headers_too_large', 'The request line or headers are too large'))
      : toProblem(new AppError('malformed_request', 'The request is not valid HTTP'));
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\ncontent-type: application/problem+json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

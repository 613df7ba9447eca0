import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';

/** An Idempotency-Key with the hash of the request it came with. */
export interface IdempotencyInput {
  key: string;
  requestHash: string;
}

/** A response as the first request got it, replayed to repeats of its key. */
export interface StoredResponse {
  statusCode: number;
  body: Record<string, unknown>;
}

/** JSON with object keys sorted, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The request's Idempotency-Key with a hash of what it asks for (method, path, body). */
export function idempotencyOf(req: FastifyRequest, body: unknown): IdempotencyInput | null {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return null;
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (!key || key.length > 255 || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AppError('validation_failed', 'Idempotency-Key must be 1–255 visible ASCII characters', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }],
    });
  }
  const path = req.url.split('?')[0];
  const requestHash = createHash('sha256').update(`${req.method} ${path}\n${canonicalJson(body)}`).digest('hex');
  return { key, requestHash };
}

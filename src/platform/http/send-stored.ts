import type { FastifyReply } from 'fastify';
import type { StoredResponse } from './idempotency.js';

/** Sends a service's response with its status code (202 for jobs, the first one on a replay). */
export function sendStored(reply: FastifyReply, response: StoredResponse): Record<string, unknown> {
  void reply.status(response.statusCode);
  return response.body;
}

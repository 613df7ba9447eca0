import { AsyncLocalStorage } from 'node:async_hooks';

/** What the authenticated request is, for code far from the controller (the charge that must count against the key's cap). */
interface RequestContext {
  keyId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs one request (a Fastify onRequest hook) inside its own context. */
export function runInRequestContext(fn: () => void): void {
  storage.run({}, fn);
}

/** Records the API key that authenticated the current request. */
export function setRequestKey(keyId: string): void {
  const ctx = storage.getStore();
  if (ctx) ctx.keyId = keyId;
}

/** The API key of the current request; null outside a request (workers, the CLI, the sweeper). */
export function requestKeyId(): string | null {
  return storage.getStore()?.keyId ?? null;
}

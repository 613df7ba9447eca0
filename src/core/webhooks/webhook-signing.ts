import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The `webhook-signature` header: one `v1,<base64>` per secret, space-separated, so that during
 * a rotation receivers holding either the old or the new secret can verify.
 */
export function signatureHeader(secrets: string[], msgId: string, timestamp: Date, payload: string): string {
  return secrets.map((s) => new Webhook(s).sign(msgId, timestamp, payload)).join(' ');
}

/** Message ids: `msg_` + 24 random base64url characters; the same on every retry. */
export function newMessageId(): string {
  return `msg_${randomBytes(18).toString('base64url')}`;
}

/**
 * Delay before the next attempt: the schedule's entry for this attempt with ±20 % jitter, so
 * many deliveries failing together do not retry together. Null when the schedule is used up.
 */
export function retryDelayMs(scheduleSeconds: readonly number[], attemptsMade: number, random = Math.random): number | null {
  const base = scheduleSeconds[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * 1000 * (0.8 + 0.4 * random()));
}

/** A stable number in [0, 1) for a key, so the queue and the record agree on a jittered delay. */
export function jitterFor(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/** Secrets are stored encrypted (AES-256-GCM) with a key derived from SIGNING_SECRET. */
export function secretKey(signingSecret: string): Buffer {
  return createHash('sha256').update(`mediary webhook secrets\n${signingSecret}`).digest();
}

export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join('.');
}

/** A stored webhook secret that no configured key can decrypt (SIGNING_SECRET changed without SIGNING_SECRET_PREVIOUS). */
export class UnreadableSecretError extends Error {
  constructor() {
    super('the webhook secret cannot be decrypted with SIGNING_SECRET or SIGNING_SECRET_PREVIOUS');
  }
}

/** Decrypts with the first key that can; `index` says which (0: the current one). */
export function decryptWithAny(keys: Buffer[], stored: string): { plaintext: string; index: number } {
  for (const [index, key] of keys.entries()) {
    try {
      return { plaintext: decryptSecret(key, stored), index };
    } catch {
      /* try the next key */
    }
  }
  throw new UnreadableSecretError();
}

export function decryptSecret(key: Buffer, stored: string): string {
  const [version, iv, tag, body] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || !body) throw new Error('unknown secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

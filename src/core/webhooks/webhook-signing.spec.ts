import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { decryptSecret, encryptSecret, newMessageId, newWebhookSecret, retryDelayMs, secretKey, signatureHeader } from './webhook-signing.js';

describe('webhook signing', () => {
  const payload = JSON.stringify({ type: 'job.completed', timestamp: '2026-01-01T00:00:00.000Z', data: { id: 'j1' } });

  it('signs so that a Standard Webhooks library verifies it', () => {
    const secret = newWebhookSecret();
    const id = newMessageId();
    const now = new Date();
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signatureHeader([secret], id, now, payload) };
    expect(new Webhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
    expect(() => new Webhook(newWebhookSecret()).verify(payload, headers)).toThrow();
    expect(() => new Webhook(secret).verify(payload.replace('j1', 'j2'), headers)).toThrow();
  });

  it('carries one signature per secret during a rotation; either verifies', () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const now = new Date();
    const header = signatureHeader([newSecret, oldSecret], 'msg_1', now, payload);
    expect(header.split(' ')).toHaveLength(2);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': header };
    for (const s of [oldSecret, newSecret]) expect(new Webhook(s).verify(payload, headers)).toBeTruthy();
  });

  it('follows the retry schedule with ±20 % jitter, then stops', () => {
    const schedule = [5, 300, 1800];
    expect(retryDelayMs(schedule, 1, () => 0.5)).toBe(5000);
    expect(retryDelayMs(schedule, 2, () => 0)).toBe(240_000);
    expect(retryDelayMs(schedule, 3, () => 1)).toBe(2_160_000);
    expect(retryDelayMs(schedule, 4)).toBeNull();
  });

  it('encrypts secrets at rest and refuses tampering or the wrong key', () => {
    const key = secretKey('a-signing-secret-of-length');
    const stored = encryptSecret(key, 'whsec_abc');
    expect(stored).not.toContain('whsec_abc');
    expect(decryptSecret(key, stored)).toBe('whsec_abc');
    expect(() => decryptSecret(secretKey('another-signing-secret'), stored)).toThrow();
    const parts = stored.split('.');
    parts[3] = Buffer.from('whsec_xyz').toString('base64');
    expect(() => decryptSecret(key, parts.join('.'))).toThrow();
  });
});

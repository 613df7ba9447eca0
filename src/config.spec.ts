import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, DEFAULT_PRICES, loadConfig } from './config.js';

/** The ConfigError a bad environment throws (fails the test when nothing is thrown). */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('loads defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      role: 'all',
      publicBaseUrl: 'http://127.0.0.1:3000',
      allowPrivateNetworks: false,
      allowedPrivateCidrs: [],
      limits: { maxDurationSeconds: 4 * 3600, maxFileBytes: 4096 * 1024 * 1024 },
      outputTtlSeconds: 24 * 3600,
      worker: { attempts: 3 },
    });
    expect(config.prices).toEqual(DEFAULT_PRICES);
    expect(config.signingSecret.length).toBeGreaterThanOrEqual(16);
  });

  it.each<[string, NodeJS.ProcessEnv, string]>([
    ['non-numeric PORT', { PORT: 'abc' }, 'PORT'],
    ['PORT out of range', { PORT: '70000' }, 'PORT'],
    ['unknown ROLE', { ROLE: 'boss' }, 'ROLE'],
    ['bad boolean', { ALLOW_PRIVATE_NETWORKS: 'maybe' }, 'ALLOW_PRIVATE_NETWORKS'],
    ['short SIGNING_SECRET', { SIGNING_SECRET: 'short' }, 'SIGNING_SECRET'],
    ['production without SIGNING_SECRET', { NODE_ENV: 'production' }, 'SIGNING_SECRET'],
    ['unknown price', { PRICES: '{"nope":1}' }, 'PRICES'],
    ['negative price', { PRICES: '{"download":-1}' }, 'PRICES'],
    ['PRICES not JSON', { PRICES: 'download=5' }, 'PRICES'],
    ['RATE_LIMITS unknown class', { RATE_LIMITS: '{"bulk":{"minute":1}}' }, 'RATE_LIMITS'],
    ['a plugin folder without yt_dlp_plugins', { YTDLP_PLUGIN_DIRS: '/nonexistent/plugins' }, '/nonexistent/plugins'],
    ['MAX_COMMENTS below 1', { MAX_COMMENTS: '0' }, 'MAX_COMMENTS'],
    ['a Stripe key without a webhook secret', { STRIPE_SECRET_KEY: 'sk_test_1', BILLING_SUCCESS_URL: 'https://a.example/ok', BILLING_CANCEL_URL: 'https://a.example/no' }, 'STRIPE_WEBHOOK_SECRET'],
    ['a Stripe key without return pages', { STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1' }, 'BILLING_SUCCESS_URL'],
    ['a credit pack without credits', { CREDIT_PACKS: '[{"id":"a","credits":0,"amount":100,"currency":"usd","name":"A"}]' }, 'CREDIT_PACKS'],
    ['two credit packs with one id', { CREDIT_PACKS: '[{"id":"a","credits":1,"amount":1,"currency":"usd","name":"A"},{"id":"a","credits":2,"amount":2,"currency":"usd","name":"B"}]' }, 'CREDIT_PACKS'],
    ['a fractional pack amount', { CREDIT_PACKS: '[{"id":"a","credits":1,"amount":9.99,"currency":"usd","name":"A"}]' }, 'CREDIT_PACKS'],
  ])('%s throws a ConfigError naming the variable', (_name, env, variable) => {
    expect(configError(env).message).toContain(variable);
  });

  it('names every bad variable at once', () => {
    const message = configError({ PORT: 'abc', JOB_ATTEMPTS: '0' }).message;
    expect(message).toContain('PORT');
    expect(message).toContain('JOB_ATTEMPTS');
  });

  it('starts in production with a secret', () => {
    expect(loadConfig({ NODE_ENV: 'production', SIGNING_SECRET: 'x'.repeat(32) }).signingSecret).toBe('x'.repeat(32));
  });

  it('takes yt-dlp plugin folders as absolute paths', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mediary-plugins-'));
    mkdirSync(path.join(dir, 'yt_dlp_plugins'));
    expect(loadConfig({}).tools.ytdlpPluginDirs).toEqual([]);
    expect(loadConfig({ YTDLP_PLUGIN_DIRS: ` ${path.relative(process.cwd(), dir)} , ` }).tools.ytdlpPluginDirs).toEqual([dir]);
  });

  it('sells the default credit packs, and has billing off without a Stripe key', () => {
    const { billing } = loadConfig({});
    expect(billing.stripeSecretKey).toBeNull();
    expect(billing.packs.map((p) => p.id)).toEqual(['starter', 'growth', 'scale']);
    const packs = loadConfig({ CREDIT_PACKS: '[{"id":"x","credits":10,"amount":99,"currency":"EUR","name":"X"}]' }).billing.packs;
    expect(packs).toEqual([{ id: 'x', credits: 10, amount: 99, currency: 'eur', name: 'X' }]);
  });

  it('overrides one price and keeps the rest', () => {
    expect(loadConfig({ PRICES: '{"download":5}' }).prices).toEqual({ ...DEFAULT_PRICES, download: 5 });
  });

  it('merges rate-limit overrides per class', () => {
    const { rateLimits } = loadConfig({ RATE_LIMITS: '{"info":{"minute":5}}' });
    expect(rateLimits.info).toEqual({ minute: 5, hour: 3000 });
    expect(rateLimits.jobs).toEqual({ minute: 300, hour: 10000 });
  });

  it.each<[NodeJS.ProcessEnv, Record<string, unknown>]>([
    [{ PORT: '8080', PUBLIC_BASE_URL: 'https://api.example.com//' }, { port: 8080, publicBaseUrl: 'https://api.example.com' }],
    [{ PORT: '' }, { port: 3000 }],
    [{ ALLOW_PRIVATE_NETWORKS: 'yes' }, { allowPrivateNetworks: true }],
    [{ ALLOWED_PRIVATE_CIDRS: ' 10.1.2.0/24, ,127.0.0.2/32 ' }, { allowedPrivateCidrs: ['10.1.2.0/24', '127.0.0.2/32'] }],
    [{ MAX_FILE_SIZE_MB: '2', OUTPUT_TTL_HOURS: '0.5' }, { limits: { maxFileBytes: 2 * 1024 * 1024 }, outputTtlSeconds: 1800 }],
  ])('reads %j', (env, expected) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.prices)).toBe(true);
    expect(Object.isFrozen(config.rateLimits.info)).toBe(true);
    expect(Object.isFrozen(config.allowedPrivateCidrs)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('does not share state between loads', () => {
    loadConfig({ RATE_LIMITS: '{"info":{"minute":5}}' });
    expect(loadConfig({}).rateLimits.info).toEqual({ minute: 120, hour: 3000 });
  });
});

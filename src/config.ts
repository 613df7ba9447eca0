import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** Default price of each operation in credits; `PRICES` overrides any of them. */
export const DEFAULT_PRICES = {
  info: 1,
  download: 1,
  download_reencode: 2,
  transcribe: 3,
  /** Speech recognition: per started minute of audio, never less than `transcribe`. */
  transcribe_asr_minute: 1,
  translate: 4,
  preview: 1,
  fingerprint: 1,
  comments: 1,
} as const;
export type PriceTable = { [K in keyof typeof DEFAULT_PRICES]: number };

/** Rate-limit classes: every endpoint belongs to one (see `@RateClassOf`). */
export const RATE_CLASSES = ['info', 'jobs', 'read', 'account'] as const;
export type RateClass = (typeof RATE_CLASSES)[number];
export interface RateLimit {
  minute: number;
  hour: number;
}
const DEFAULT_RATE_LIMITS: Record<RateClass, RateLimit> = {
  info: { minute: 120, hour: 3000 },
  jobs: { minute: 300, hour: 10000 },
  read: { minute: 1200, hour: 36000 },
  account: { minute: 60, hour: 1000 },
};

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number) => z.coerce.number().int().min(min);
const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  }).pipe(schema);

const priceOverrides = z.object(
  Object.fromEntries(Object.keys(DEFAULT_PRICES).map((k) => [k, int(0).optional()])),
).strict();
const rateOverrides = z.object(
  Object.fromEntries(
    RATE_CLASSES.map((c) => [c, z.object({ minute: int(1), hour: int(1) }).partial().optional()]),
  ),
).strict();

/** A credit pack on sale: `amount` in the currency's smallest unit (cents). */
export interface CreditPack {
  id: string;
  credits: number;
  amount: number;
  currency: string;
  name: string;
}
const creditPack = z.object({
  id: z.string().regex(/^[a-z0-9_-]{1,64}$/i),
  credits: int(1).max(1_000_000_000),
  amount: int(0).max(99_999_999),
  currency: z.string().regex(/^[a-z]{3}$/i).transform((c) => c.toLowerCase()),
  name: z.string().min(1).max(200),
}).strict();
export const DEFAULT_CREDIT_PACKS: CreditPack[] = [
  { id: 'starter', credits: 1_000, amount: 1_000, currency: 'usd', name: '1,000 credits' },
  { id: 'growth', credits: 5_500, amount: 5_000, currency: 'usd', name: '5,500 credits' },
  { id: 'scale', credits: 12_000, amount: 10_000, currency: 'usd', name: '12,000 credits' },
];

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/mediary'),
  /** How long the service waits for one database statement; a database that stops answering is then a 503, not a hang. */
  DATABASE_QUERY_TIMEOUT_SECONDS: int(1).max(3600).default(20),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  /** Prefix for Redis keys, so several installations (or test runs) can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i).default('mediary'),
  PUBLIC_BASE_URL: z.url().optional(),
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** For S3-compatible servers (MinIO, R2, …); unset for AWS. */
  S3_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  STORAGE_DIR: z.string().min(1).default('./data'),
  SIGNING_SECRET: z.string().min(16).optional(),
  /** The secret before a rotation: links it signed still work and webhook secrets it encrypted still decrypt. */
  SIGNING_SECRET_PREVIOUS: z.string().min(16).optional(),
  ALLOW_PRIVATE_NETWORKS: bool.default(false),
  /** Private ranges an operator trusts although ALLOW_PRIVATE_NETWORKS is off, e.g. `10.1.2.0/24`. */
  ALLOWED_PRIVATE_CIDRS: z.string().default(''),
  YTDLP_PATH: z.string().min(1).default('yt-dlp'),
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  FFPROBE_PATH: z.string().min(1).default('ffprobe'),
  /** Folders of the operator's yt-dlp plugins, each holding a `yt_dlp_plugins` package; comma-separated. */
  YTDLP_PLUGIN_DIRS: z.string().default(''),
  POCKETSPHINX_PATH: z.string().min(1).default('pocketsphinx_continuous'),
  APERTIUM_PATH: z.string().min(1).default('apertium'),
  /** Speech recognition: `local` (pocketsphinx, English) or `openai` (any OpenAI-compatible server). */
  TRANSCRIBE_PROVIDER: z.enum(['local', 'openai']).optional(),
  /** Translation: `local` (Apertium, the pairs installed) or `openai` (chat completions). */
  TRANSLATE_PROVIDER: z.enum(['local', 'openai']).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_TRANSCRIBE_MODEL: z.string().min(1).default('whisper-1'),
  OPENAI_CHAT_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** Chunks of one long recording sent to the speech server at once. */
  OPENAI_CONCURRENCY: int(1).default(4),
  /** The speech endpoint's upload limit (OpenAI: 25 MB); longer audio is cut at silences. */
  OPENAI_MAX_UPLOAD_MB: z.coerce.number().positive().default(25),
  /** Longest audio in one request: longer recordings are cut (and sent concurrently). */
  OPENAI_MAX_CHUNK_SECONDS: int(60).default(1200),
  /** Segments per chat request when translating. */
  OPENAI_TRANSLATE_BATCH: int(1).default(40),
  MAX_MEDIA_DURATION_SECONDS: int(1).default(4 * 3600),
  MAX_FILE_SIZE_MB: int(1).default(4096),
  MAX_UPLOAD_SIZE_MB: int(1).default(2048),
  /** What one account's live uploads may take in storage altogether. */
  MAX_UPLOAD_STORAGE_MB: int(1).default(10240),
  /** The most comments one request may ask for (`max_comments`). */
  MAX_COMMENTS: int(1).default(20_000),
  OUTPUT_TTL_HOURS: z.coerce.number().positive().default(24),
  INFO_CACHE_TTL_SECONDS: int(0).default(3600),
  WORKER_CONCURRENCY: int(1).default(2),
  /** External programs (yt-dlp, ffmpeg, ffprobe…) one process runs at once; more wait their turn. */
  MAX_TOOL_PROCESSES: int(1).default(16),
  /** How long a worker's lock on a job lasts (renewed every half of it); a killed worker's job is picked up again after it. */
  JOB_LOCK_SECONDS: int(1).default(10),
  JOB_ATTEMPTS: int(1).default(3),
  /** Seconds a job may run (yt-dlp + ffmpeg) before it is stopped and failed. */
  JOB_TIMEOUT_SECONDS: int(1).default(3600),
  /** How long a job waits for Postgres or Redis to come back before it is failed and refunded. */
  JOB_OUTAGE_WAIT_SECONDS: int(1).default(900),
  SWEEP_INTERVAL_SECONDS: int(1).default(15),
  /**
   * A pending job with no queue entry this long after it was accepted was lost by Redis; so was
   * a webhook delivery recorded this long ago and never queued.
   */
  ENQUEUE_GRACE_SECONDS: int(1).default(30),
  /** Files of failed and canceled jobs (nobody can fetch them) are deleted this long after the job ended. */
  FAILED_OUTPUT_RETENTION_HOURS: z.coerce.number().positive().default(24),
  /** Delivered and failed webhook deliveries, with their attempts, are deleted after this. */
  WEBHOOK_RETENTION_DAYS: int(1).default(30),
  /** Stored transcripts (what makes asking again free) are deleted after this. */
  TRANSCRIPT_RETENTION_DAYS: int(1).default(90),
  /** Seconds between webhook attempts; the last is followed by failure. Default spans > 24 h. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be comma-separated seconds, e.g. 5,300,1800')
    .default('5,300,1800,7200,18000,36000,36000'),
  WEBHOOK_TIMEOUT_SECONDS: int(1).default(10),
  /** How long the previous secret keeps signing after a rotation. */
  WEBHOOK_SECRET_OVERLAP_HOURS: z.coerce.number().min(0).default(24),
  PRICES: json(priceOverrides).default({}),
  RATE_LIMITS: json(rateOverrides).default({}),
  /** How long a valid API key is remembered in memory (0: look it up on every request). */
  AUTH_CACHE_SECONDS: int(0).default(30),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
  /** Bearer token for GET /metrics; unset, only clients on this machine (loopback) may read it. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Stripe: without a secret key the billing endpoints answer 503 `billing_unavailable`. */
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Another Stripe API base (stripe-mock, a test server), e.g. `http://127.0.0.1:12111`. */
  STRIPE_API_BASE: z.url().optional(),
  CREDIT_PACKS: json(z.array(creditPack).min(1).max(50)).default(DEFAULT_CREDIT_PACKS),
  BILLING_SUCCESS_URL: z.url().optional(),
  BILLING_CANCEL_URL: z.url().optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  role: 'all' | 'api' | 'worker';
  databaseUrl: string;
  databaseQueryTimeoutSeconds: number;
  redisUrl: string;
  redisPrefix: string;
  publicBaseUrl: string;
  storage: {
    driver: 'local' | 's3';
    dir: string;
    s3?: { bucket: string; region: string; endpoint?: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };
  };
  signingSecret: string;
  /** The signing secret before the last rotation, still accepted (never used to sign). */
  previousSigningSecret: string | null;
  allowPrivateNetworks: boolean;
  allowedPrivateCidrs: string[];
  tools: { ytdlp: string; ffmpeg: string; ffprobe: string; pocketsphinx: string; apertium: string; ytdlpPluginDirs: string[] };
  translateProvider: 'local' | 'openai';
  speech: {
    provider: 'local' | 'openai';
    openai: { apiKey?: string; baseUrl?: string; model: string; chatModel: string; concurrency: number; maxUploadBytes: number; maxChunkSeconds: number; translateBatch: number };
  };
  limits: { maxDurationSeconds: number; maxFileBytes: number; maxUploadBytes: number; maxUploadStorageBytes: number; maxToolProcesses: number; maxComments: number };
  outputTtlSeconds: number;
  infoCacheTtlSeconds: number;
  worker: {
    concurrency: number;
    lockSeconds: number;
    attempts: number;
    jobTimeoutSeconds: number;
    outageWaitSeconds: number;
    sweepIntervalSeconds: number;
    enqueueGraceSeconds: number;
  };
  webhooks: { retryScheduleSeconds: number[]; timeoutSeconds: number; secretOverlapSeconds: number };
  /** How long what is no longer needed is kept before the sweeper deletes it. */
  retention: { failedOutputSeconds: number; webhookDays: number; transcriptDays: number };
  prices: PriceTable;
  rateLimits: Record<RateClass, RateLimit>;
  logLevel: 'error' | 'warn' | 'log' | 'debug';
  authCacheSeconds: number;
  metricsToken: string | null;
  billing: {
    /** Null: billing is off (503 `billing_unavailable`). */
    stripeSecretKey: string | null;
    stripeWebhookSecret: string | null;
    stripeApiBase: string | null;
    packs: CreditPack[];
    successUrl: string;
    cancelUrl: string;
  };
}

export class ConfigError extends Error {}

type Env = z.infer<typeof schema>;

/** Environment → validated, typed, frozen config. Throws `ConfigError` naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return deepFreeze(toConfig(parseEnv(env)));
}

/** The variables, validated one by one and then together. */
function parseEnv(env: NodeJS.ProcessEnv): Env {
  const parsed = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SIGNING_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SIGNING_SECRET: required in production');
  }
  if (e.STRIPE_SECRET_KEY) {
    // Without these a customer could pay and never be credited, or land nowhere after paying.
    const missing = ['STRIPE_WEBHOOK_SECRET', 'BILLING_SUCCESS_URL', 'BILLING_CANCEL_URL'].filter((v) => !e[v as keyof Env]);
    if (missing.length) throw new ConfigError(`Invalid configuration:\n  ${missing.join(', ')}: required with STRIPE_SECRET_KEY`);
  }
  if (new Set(e.CREDIT_PACKS.map((p) => p.id)).size !== e.CREDIT_PACKS.length) {
    throw new ConfigError('Invalid configuration:\n  CREDIT_PACKS: pack ids must be unique');
  }
  if (e.STORAGE_DRIVER === 's3' && !e.S3_BUCKET) {
    throw new ConfigError('Invalid configuration:\n  S3_BUCKET: required when STORAGE_DRIVER=s3');
  }
  if (e.STORAGE_DRIVER === 's3' && Boolean(e.S3_ACCESS_KEY_ID) !== Boolean(e.S3_SECRET_ACCESS_KEY)) {
    throw new ConfigError('Invalid configuration:\n  S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: set both or neither');
  }
  const notPlugins = pluginDirs(e.YTDLP_PLUGIN_DIRS).filter((dir) => !existsSync(path.join(dir, 'yt_dlp_plugins')));
  if (notPlugins.length) {
    throw new ConfigError(`Invalid configuration:\n  YTDLP_PLUGIN_DIRS: ${notPlugins.join(', ')} holds no yt_dlp_plugins folder`);
  }
  return e;
}

function toConfig(e: Env): Config {
  const rateLimits = { ...DEFAULT_RATE_LIMITS };
  for (const c of RATE_CLASSES) {
    rateLimits[c] = { ...DEFAULT_RATE_LIMITS[c], ...(e.RATE_LIMITS[c] ?? {}) };
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    role: e.ROLE,
    databaseUrl: e.DATABASE_URL,
    databaseQueryTimeoutSeconds: e.DATABASE_QUERY_TIMEOUT_SECONDS,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, ''),
    storage: storageConfig(e),
    // Outside production an unset secret falls back to a fixed development value, so links
    // survive restarts on a laptop; production refuses to start without one (above).
    signingSecret: e.SIGNING_SECRET ?? 'mediary-development-signing-secret',
    previousSigningSecret: e.SIGNING_SECRET_PREVIOUS ?? null,
    allowPrivateNetworks: e.ALLOW_PRIVATE_NETWORKS,
    allowedPrivateCidrs: e.ALLOWED_PRIVATE_CIDRS.split(',').map((s) => s.trim()).filter(Boolean),
    tools: {
      ytdlp: e.YTDLP_PATH, ffmpeg: e.FFMPEG_PATH, ffprobe: e.FFPROBE_PATH, pocketsphinx: e.POCKETSPHINX_PATH, apertium: e.APERTIUM_PATH,
      ytdlpPluginDirs: pluginDirs(e.YTDLP_PLUGIN_DIRS),
    },
    // With an OpenAI key (or a self-hosted OpenAI-compatible server) speech goes there by default.
    translateProvider: e.TRANSLATE_PROVIDER ?? (e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? 'openai' : 'local'),
    speech: speechConfig(e),
    limits: {
      maxDurationSeconds: e.MAX_MEDIA_DURATION_SECONDS,
      maxFileBytes: e.MAX_FILE_SIZE_MB * 1024 * 1024,
      maxUploadBytes: e.MAX_UPLOAD_SIZE_MB * 1024 * 1024,
      maxUploadStorageBytes: e.MAX_UPLOAD_STORAGE_MB * 1024 * 1024,
      maxToolProcesses: e.MAX_TOOL_PROCESSES,
      maxComments: e.MAX_COMMENTS,
    },
    outputTtlSeconds: Math.round(e.OUTPUT_TTL_HOURS * 3600),
    infoCacheTtlSeconds: e.INFO_CACHE_TTL_SECONDS,
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      lockSeconds: e.JOB_LOCK_SECONDS,
      attempts: e.JOB_ATTEMPTS,
      jobTimeoutSeconds: e.JOB_TIMEOUT_SECONDS,
      outageWaitSeconds: e.JOB_OUTAGE_WAIT_SECONDS,
      sweepIntervalSeconds: e.SWEEP_INTERVAL_SECONDS,
      enqueueGraceSeconds: e.ENQUEUE_GRACE_SECONDS,
    },
    webhooks: {
      retryScheduleSeconds: e.WEBHOOK_RETRY_SCHEDULE.split(',').map(Number),
      timeoutSeconds: e.WEBHOOK_TIMEOUT_SECONDS,
      secretOverlapSeconds: Math.round(e.WEBHOOK_SECRET_OVERLAP_HOURS * 3600),
    },
    retention: {
      failedOutputSeconds: Math.round(e.FAILED_OUTPUT_RETENTION_HOURS * 3600),
      webhookDays: e.WEBHOOK_RETENTION_DAYS,
      transcriptDays: e.TRANSCRIPT_RETENTION_DAYS,
    },
    prices: { ...DEFAULT_PRICES, ...(e.PRICES as Partial<PriceTable>) },
    rateLimits,
    logLevel: e.LOG_LEVEL,
    authCacheSeconds: e.AUTH_CACHE_SECONDS,
    metricsToken: e.METRICS_TOKEN ?? null,
    billing: billingConfig(e),
  };
}

function billingConfig(e: Env): Config['billing'] {
  return {
    stripeSecretKey: e.STRIPE_SECRET_KEY ?? null,
    stripeWebhookSecret: e.STRIPE_WEBHOOK_SECRET ?? null,
    stripeApiBase: e.STRIPE_API_BASE ?? null,
    packs: e.CREDIT_PACKS,
    // Required with a key (above); Stripe replaces {CHECKOUT_SESSION_ID} in them with the session's id.
    successUrl: e.BILLING_SUCCESS_URL ?? '',
    cancelUrl: e.BILLING_CANCEL_URL ?? '',
  };
}

/** Plugin folders as absolute paths: yt-dlp runs in other working directories. */
function pluginDirs(list: string): string[] {
  return list.split(',').map((s) => s.trim()).filter(Boolean).map((dir) => path.resolve(dir));
}

function storageConfig(e: Env): Config['storage'] {
  return {
    driver: e.STORAGE_DRIVER,
    dir: e.STORAGE_DIR,
    s3:
      e.STORAGE_DRIVER === 's3'
        ? {
            bucket: e.S3_BUCKET!,
            region: e.S3_REGION,
            endpoint: e.S3_ENDPOINT,
            accessKeyId: e.S3_ACCESS_KEY_ID,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
          }
        : undefined,
  };
}

/** With an OpenAI key (or a self-hosted OpenAI-compatible server) speech goes there by default. */
function speechConfig(e: Env): Config['speech'] {
  return {
    provider: e.TRANSCRIBE_PROVIDER ?? (e.OPENAI_API_KEY || e.OPENAI_BASE_URL ? 'openai' : 'local'),
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL,
      model: e.OPENAI_TRANSCRIBE_MODEL,
      chatModel: e.OPENAI_CHAT_MODEL,
      concurrency: e.OPENAI_CONCURRENCY,
      maxUploadBytes: Math.floor(e.OPENAI_MAX_UPLOAD_MB * 1024 * 1024),
      maxChunkSeconds: e.OPENAI_MAX_CHUNK_SECONDS,
      translateBatch: e.OPENAI_TRANSLATE_BATCH,
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Injection token for the frozen Config. */
export const CONFIG = Symbol('CONFIG');

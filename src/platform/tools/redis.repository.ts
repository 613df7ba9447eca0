import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { CONFIG, type Config } from '../../config.js';

/**
 * Fixed-window counters for two windows in one round trip. Returns, per window,
 * [count, ttl ms]. A dedicated library would need one round trip per window; this is the
 * whole algorithm.
 */
const RATE_SCRIPT = `
local out = {}
for i = 1, 2 do
  local c = redis.call('INCR', KEYS[i])
  if c == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[i]) end
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then redis.call('PEXPIRE', KEYS[i], ARGV[i]); ttl = tonumber(ARGV[i]) end
  out[#out + 1] = c
  out[#out + 1] = ttl
end
return out`;

export const REDIS_COMMAND_TIMEOUT_MS = 1000;

export interface WindowCount {
  count: number;
  resetMs: number;
}

/** Redis for everything that is not the queue: caches, rate-limit counters, pub/sub. */
@Injectable()
export class RedisRepository implements OnModuleDestroy {
  readonly client: Redis;
  private readonly logger = new Logger(RedisRepository.name);
  private subscriber: Redis | null = null;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(@Inject(CONFIG) private readonly config: Config) {
    // A Redis that hangs (not refusing, just silent) must not hang requests: every command gives up after a second.
    this.client = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: false, lazyConnect: false, commandTimeout: REDIS_COMMAND_TIMEOUT_MS });
    this.client.on('error', () => undefined); // surfaced through failed commands, not as crashes
    this.client.defineCommand('mediaryRate', { numberOfKeys: 2, lua: RATE_SCRIPT });
  }

  key(...parts: string[]): string {
    return [this.config.redisPrefix, ...parts].join(':');
  }

  async getJson<T>(key: string): Promise<T | null> {
    const raw = await this.client.get(key);
    return raw ? (JSON.parse(raw) as T) : null;
  }

  async setJson(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (ttlSeconds > 0) await this.client.set(key, JSON.stringify(value), 'EX', ttlSeconds);
  }

  /** Takes a lock shared by every process (SET NX PX); true when this caller holds it. */
  async lock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Releases a lock only if this caller still holds it. */
  async unlock(key: string, token: string): Promise<void> {
    await this.client.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, key, token);
  }

  async countWindows(minuteKey: string, hourKey: string): Promise<[WindowCount, WindowCount]> {
    const r = (await (this.client as unknown as { mediaryRate: (...a: unknown[]) => Promise<number[]> }).mediaryRate(
      minuteKey,
      hourKey,
      60_000,
      3_600_000,
    )) as number[];
    return [
      { count: r[0] ?? 0, resetMs: r[1] ?? 0 },
      { count: r[2] ?? 0, resetMs: r[3] ?? 0 },
    ];
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.key(channel), message);
  }

  /** Subscribes to a channel on a shared subscriber connection; returns the unsubscribe function. */
  async subscribe(channel: string, handler: (message: string) => void): Promise<() => void> {
    const full = this.key(channel);
    if (!this.subscriber) {
      this.subscriber = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (ch: string, msg: string) => this.deliver(ch, msg));
    }
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      await this.subscriber.subscribe(full);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.handlers.get(full) === set) {
        this.handlers.delete(full);
        void this.subscriber?.unsubscribe(full).catch(() => undefined);
      }
    };
  }

  /** A message to every handler of its channel; one handler's failure reaches neither the others nor the connection. */
  private deliver(channel: string, message: string): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(message);
      } catch (err) {
        this.logger.warn(`handler of ${channel} failed: ${(err as Error).message}`);
      }
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  onModuleDestroy(): void {
    this.client.disconnect();
    this.subscriber?.disconnect();
  }
}

import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { CONFIG, type Config, type RateClass } from '../../config.js';
import { AppError } from '../../errors.js';
import { RedisRepository } from '../tools/redis.repository.js';
import { PUBLIC_ROUTE, RATE_CLASS, REQUIRED_SCOPE, type AuthedRequest } from './decorators.js';
import { setRequestKey } from './request-context.js';
import type { Scope } from './scopes.js';

/** Who an API key belongs to; provided by the accounts module. */
export abstract class ApiKeyAuthenticator {
  abstract authenticate(plaintext: string): Promise<{ accountId: string; keyId: string; scopes: readonly Scope[] }>;
}

/**
 * Authenticates the API key (Bearer or X-API-Key), checks it holds the route's scope, and applies
 * the account's rate limit for the route's class — per account, not per key, shared by every API
 * process through Redis.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly reflector: Reflector,
    private readonly accounts: ApiKeyAuthenticator,
    private readonly redis: RedisRepository,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const key = extractKey(req);
    if (!key) throw new AppError('missing_api_key', 'Send your API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`');
    const owner = await this.accounts.authenticate(key);
    req.accountId = owner.accountId;
    req.keyId = owner.keyId;
    setRequestKey(owner.keyId);
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    // A route that names no scope is a programming error: refuse rather than let every key in.
    if (!scope) throw new Error(`${req.method} ${req.routeOptions.url} names no scope (use AuthedEndpoint)`);
    if (!owner.scopes.includes(scope)) {
      throw new AppError('forbidden', `This API key lacks the \`${scope}\` scope this operation needs`, { scope });
    }
    const rateClass = this.reflector.getAllAndOverride<RateClass>(RATE_CLASS, targets) ?? 'read';
    await this.limit(owner.accountId, rateClass, reply);
    return true;
  }

  private async limit(accountId: string, rateClass: RateClass, reply: FastifyReply): Promise<void> {
    const limits = this.config.rateLimits[rateClass];
    let windows;
    try {
      const now = Date.now();
      windows = await this.redis.countWindows(
        this.redis.key('rl', accountId, rateClass, 'm', String(Math.floor(now / 60_000))),
        this.redis.key('rl', accountId, rateClass, 'h', String(Math.floor(now / 3_600_000))),
      );
    } catch {
      // Fail closed: without Redis nothing is counted, so nothing is accepted (or charged).
      throw new AppError('service_unavailable', 'The service is temporarily unavailable; nothing was charged');
    }
    const [minute, hour] = windows;
    const minuteLeft = limits.minute - minute.count;
    const hourLeft = limits.hour - hour.count;
    const binding = hourLeft < minuteLeft ? { left: hourLeft, reset: hour.resetMs, limit: limits.hour } : { left: minuteLeft, reset: minute.resetMs, limit: limits.minute };
    const resetSeconds = Math.max(1, Math.ceil(binding.reset / 1000));
    reply.header('X-RateLimit-Limit', String(binding.limit));
    reply.header('X-RateLimit-Remaining', String(Math.max(0, binding.left)));
    reply.header('X-RateLimit-Reset', String(resetSeconds));
    if (binding.left < 0) {
      reply.header('Retry-After', String(resetSeconds));
      throw new AppError('rate_limited', `Rate limit of ${binding.limit} requests exceeded; retry in ${resetSeconds} s`);
    }
  }
}

function extractKey(req: AuthedRequest): string | null {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    // Some other scheme (Basic, a bare key…) is a wrong key, not a missing one.
    if (!m) throw new AppError('invalid_api_key', 'Send the key as `Authorization: Bearer <key>`');
    return m[1] ?? null;
  }
  const header = req.headers['x-api-key'];
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim() || null;
}

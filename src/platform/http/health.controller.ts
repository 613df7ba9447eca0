import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { RedisRepository } from '../tools/redis.repository.js';
import { Public, PublicEndpoint } from './decorators.js';

/** How long a readiness check waits for each dependency. */
const CHECK_TIMEOUT_MS = 2000;

const READINESS: { schema: SchemaObject } = {
  schema: {
    type: 'object',
    properties: { status: { type: 'string', enum: ['ok', 'degraded'] }, database: { type: 'boolean' }, redis: { type: 'boolean' } },
    required: ['status', 'database', 'redis'],
  },
};

function within(ms: number, check: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([check.catch(() => false), timeout]).finally(() => clearTimeout(timer));
}

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RedisRepository) private readonly redis: RedisRepository,
  ) {}

  @Get('health/live')
  @Public()
  @ApiOperation({ operationId: 'getLiveness', security: [], summary: 'Liveness', description: '200 while the process serves requests, whatever its dependencies do.' })
  @ApiOkResponse({ description: 'The process serves', schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } })
  @PublicEndpoint()
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @Public()
  @ApiOperation({ operationId: 'getReadiness', security: [], summary: 'Readiness', description: '200 when Postgres and Redis answer within 2 s, 503 naming the one that does not.' })
  @ApiOkResponse({ description: 'Postgres and Redis answer', ...READINESS })
  @ApiResponse({ status: 503, description: 'A dependency is down: `false` names it', content: { 'application/json': READINESS } })
  @PublicEndpoint()
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.readiness(reply);
  }

  @Get('health')
  @Public()
  @ApiOperation({ operationId: 'getHealth', security: [], summary: 'Readiness (same as /health/ready)' })
  @ApiOkResponse({ description: 'Postgres and Redis answer', ...READINESS })
  @ApiResponse({ status: 503, description: 'A dependency is down: `false` names it', content: { 'application/json': READINESS } })
  @PublicEndpoint()
  health(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.readiness(reply);
  }

  private async readiness(reply: FastifyReply) {
    const [database, redis] = await Promise.all([
      within(CHECK_TIMEOUT_MS, this.db.query('SELECT 1').then(() => true)),
      within(CHECK_TIMEOUT_MS, this.redis.ping()),
    ]);
    const ok = database && redis;
    void reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', database, redis };
  }

  @Get('metrics')
  @Public()
  @Header('Content-Type', register.contentType)
  @ApiBearerAuth('metrics')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    description: 'With METRICS_TOKEN set, send it as `Authorization: Bearer <token>`; without it, only clients on the same machine may read them.',
  })
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE mediary_jobs_submitted_total counter\nmediary_jobs_submitted_total{type="download"} 3\n' } } })
  @PublicEndpoint({ 401: 'No or a wrong metrics token, or (without METRICS_TOKEN) a client not on this machine (`invalid_api_key`)' })
  metrics(@Req() req: FastifyRequest): Promise<string> {
    if (!this.mayReadMetrics(req)) throw new AppError('invalid_api_key', 'Metrics need the metrics token (METRICS_TOKEN)');
    return register.metrics();
  }

  private mayReadMetrics(req: FastifyRequest): boolean {
    const token = this.config.metricsToken;
    if (!token) {
      // The socket's address, not X-Forwarded-For: a header cannot make a remote client local.
      const remote = req.raw.socket.remoteAddress ?? '';
      return net.isIP(remote) !== 0 && (remote === '::1' || remote.startsWith('127.') || remote.startsWith('::ffff:127.'));
    }
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

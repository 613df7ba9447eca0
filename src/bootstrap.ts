import multipart from '@fastify/multipart';
import { randomUUID } from 'node:crypto';
import { Logger, type INestApplication, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { collectDefaultMetrics, register } from 'prom-client';
import { AppModule, type Parts } from './app.module.js';
import type { Config } from './config.js';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApi, mountDocs } from './platform/http/swagger.js';
import { mountDashboard } from './platform/http/dashboard.js';
import { JOB_SCHEMA, jobUnionSchema } from './core/jobs/dto/jobs.dto.js';
import { clientErrorHandler, frameworkErrors, installRequestLimits } from './platform/http/request-limits.js';
import { validationPipe } from './platform/http/validation.js';
import { httpDuration } from './platform/metrics.js';
import { runInRequestContext } from './platform/http/request-context.js';

const LEVELS: LogLevel[] = ['error', 'warn', 'log', 'debug'];

export function logLevels(config: Config): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1);
}

/** The HTTP application (not yet listening), with workers too when `parts.workers`. */
export async function createHttpApp(config: Config, parts: Parts, opts: { docs?: boolean; dashboard?: boolean } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: 1024 * 1024, trustProxy: true, clientErrorHandler, frameworkErrors });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, parts), adapter, {
    logger: logLevels(config),
    abortOnError: false,
    // JSON bodies go through installRequestLimits' parser; the API takes no other body but multipart.
    bodyParser: false,
  });
  await app.register(multipart, {
    limits: { fileSize: config.limits.maxUploadBytes, files: 1, fields: 10, fieldSize: 64 * 1024 },
  });
  installRequestLimits(app.getHttpAdapter().getInstance());
  app.useGlobalPipes(validationPipe);
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  // Callback style, so the rest of the request (guard, handler, charge) runs inside the context.
  fastify.addHook('onRequest', (_req, _reply, done) => runInRequestContext(done));
  fastify
    .addHook('onResponse', async (req, reply) => {
      const route = req.routeOptions.url ?? 'unmatched';
      httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });
  if (opts.docs !== false) mountDocs(app, openApiDocument(app, config.publicBaseUrl));
  if (opts.dashboard !== false) await mountDashboard(app, config);
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
  return app;
}

/** The OpenAPI document of this app, naming `serverUrl` as its server. */
export function openApiDocument(app: INestApplication, serverUrl: string): OpenAPIObject {
  return buildOpenApi(app, { serverUrl, extraSchemas: { [JOB_SCHEMA]: jobUnionSchema() } });
}

/** A process with workers and no HTTP server (ROLE=worker), or neither (the admin CLI). */
export async function createContext(config: Config, parts: Parts): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, parts), { logger: logLevels(config), abortOnError: false });
  app.enableShutdownHooks();
  return app;
}

export const bootLogger = new Logger('Mediary');

/**
 * A promise nobody awaited that rejected, or an exception nobody caught, is a bug to find — not a
 * reason to stop serving every other request: it is logged once with an error id, and the process
 * goes on.
 */
export function installCrashGuards(logger = new Logger('Crash')): void {
  const report = (kind: string) => (err: unknown) => {
    logger.error(`error_id=${randomUUID()} ${kind}: ${(err as Error)?.stack ?? String(err)}`);
  };
  process.on('unhandledRejection', report('unhandled rejection'));
  process.on('uncaughtException', report('uncaught exception'));
}

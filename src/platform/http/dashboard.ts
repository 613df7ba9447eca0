import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.js';
import { dashboardCsp, outputOrigins } from './dashboard-csp.js';

/** Where the dashboard is served. */
export const DASHBOARD_PATH = '/app';

/** dist/web of the installation (built by `npm run build`), found from this file whether it runs from src/ or dist/. */
export function dashboardDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'web');
}

/**
 * Serves the dashboard (a single-page app that uses only the public API) at /app: its hashed
 * assets cached for good, and index.html for every other path under /app so that its own
 * routes survive a reload. Every answer carries a strict CSP and refuses to be framed.
 * Returns false, changing nothing, when the dashboard was not built.
 */
export async function mountDashboard(app: NestFastifyApplication, config: Config, root = dashboardDir()): Promise<boolean> {
  const indexFile = path.join(root, 'index.html');
  if (!existsSync(indexFile)) {
    new Logger('Dashboard').warn(`not served: ${indexFile} is missing (npm run build makes it)`);
    return false;
  }
  // Loaded only here: jest's ESM sandbox cannot load it, and in-process test apps skip the dashboard.
  const { default: fastifyStatic } = await import('@fastify/static');
  const index = readFileSync(indexFile);
  const security = {
    'content-security-policy': dashboardCsp(outputOrigins(config)),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  };
  const sendIndex = (req: FastifyRequest, reply: FastifyReply) =>
    // A built file that is not there (an old asset name) is a 404, not the app.
    req.url.startsWith(`${DASHBOARD_PATH}/assets/`) ? reply.callNotFound() : reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  await app.getHttpAdapter().getInstance().register(async (scope) => {
    scope.addHook('onRequest', async (_req, reply) => {
      reply.headers(security);
    });
    await scope.register(fastifyStatic, {
      root,
      prefix: `${DASHBOARD_PATH}/`,
      // One route per built file; every other path under /app is the app's own (sendIndex).
      wildcard: false,
      index: false,
      decorateReply: false,
      setHeaders: (res, file) => {
        const hashed = file.startsWith(path.join(root, 'assets') + path.sep);
        res.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    scope.get(DASHBOARD_PATH, sendIndex);
    scope.get(`${DASHBOARD_PATH}/`, sendIndex);
    scope.get(`${DASHBOARD_PATH}/*`, sendIndex);
  });
  return true;
}

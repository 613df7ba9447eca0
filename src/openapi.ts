import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpApp, openApiDocument } from './bootstrap.js';
import { loadConfig } from './config.js';
import { DEFAULT_SERVER_URL } from './platform/http/swagger.js';

/** Writes openapi.json (the committed spec) from the code: `npm run openapi`. */
export async function generateOpenApi(): Promise<string> {
  const app = await createHttpApp(loadConfig({ ...process.env, LOG_LEVEL: 'error' }), { http: true, workers: false }, { docs: false, dashboard: false });
  try {
    return `${JSON.stringify(openApiDocument(app, DEFAULT_SERVER_URL), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const target = process.argv[2] ?? 'openapi.json';
  writeFileSync(target, await generateOpenApi());
  console.log(`wrote ${target}`);
  process.exit(0);
}

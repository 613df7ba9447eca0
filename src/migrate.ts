import 'reflect-metadata';
import { loadConfig } from './config.js';
import { createDataSource } from './platform/database/data-source.js';

/** Applies pending migrations (the only way the schema changes): `npm run migrate`. */
const config = loadConfig();
const db = createDataSource(config.databaseUrl);
await db.initialize();
try {
  const applied = await db.runMigrations({ transaction: 'each' });
  for (const m of applied) console.log(`migration applied: ${m.name}`);
} finally {
  await db.destroy();
}

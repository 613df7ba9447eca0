import pg from 'pg';
import { makeFixtures } from './support/fixtures.mjs';
import { serverUrl, startMediaServer } from './support/media-server.mjs';

/** Fixtures once per run, and the local "video sites" every spec uses (URLs via env). */
export default async function globalSetup() {
  makeFixtures();
  // Jobs earlier runs left pending (specs that run without workers) must not look lost to
  // this run's sweepers. The run's database: the same default as test/support/services.ts.
  const db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/mediary_test' });
  await db.connect();
  await db.query(`UPDATE jobs SET status = 'canceled', completed_at = now() WHERE status IN ('pending', 'processing')`);
  await db.end();
  const primary = await startMediaServer('127.0.0.1');
  // A second address, trusted through ALLOWED_PRIVATE_CIDRS in the SSRF specs while
  // 127.0.0.1 stays forbidden: it plays a public site that redirects to a private one.
  const secondary = await startMediaServer('127.0.0.2');
  globalThis.__mediaServers = [primary, secondary];
  process.env.MEDIA_URL = serverUrl(primary);
  process.env.MEDIA_URL_2 = serverUrl(secondary);
}

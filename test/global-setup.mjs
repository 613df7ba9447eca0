import { makeFixtures } from './support/fixtures.mjs';
import { serverUrl, startMediaServer } from './support/media-server.mjs';

/** Fixtures once per run, and the local "video sites" every spec uses (URLs via env). */
export default async function globalSetup() {
  makeFixtures();
  const primary = await startMediaServer('127.0.0.1');
  // A second address, trusted through ALLOWED_PRIVATE_CIDRS in the SSRF specs while
  // 127.0.0.1 stays forbidden: it plays a public site that redirects to a private one.
  const secondary = await startMediaServer('127.0.0.2');
  globalThis.__mediaServers = [primary, secondary];
  process.env.MEDIA_URL = serverUrl(primary);
  process.env.MEDIA_URL_2 = serverUrl(secondary);
}

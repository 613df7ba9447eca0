export default async function globalTeardown() {
  for (const server of globalThis.__mediaServers ?? []) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

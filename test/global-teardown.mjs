import { Redis } from 'ioredis';

export default async function globalTeardown() {
  for (const server of globalThis.__mediaServers ?? []) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  // Every test app used its own Redis prefix; leave nothing behind, and touch only the run's
  // Redis database (the same default as test/support/services.ts), never the caller's REDIS_URL.
  const redis = new Redis(process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'mdytest-*', 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/**
 * The Postgres database and Redis of a test run, whatever the caller's environment: taken from
 * TEST_DATABASE_URL / TEST_REDIS_URL (never from DATABASE_URL / REDIS_URL, which an operator's
 * shell may point elsewhere) and given explicitly to every app and process a spec starts, so
 * in-process apps and spawned workers always meet on the same database and Redis.
 * test/global-setup.mjs, test/global-teardown.mjs and scripts/setup.mjs use the same defaults.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/mediary_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** The services part of an app's environment. */
export const testServicesEnv = (): { DATABASE_URL: string; REDIS_URL: string } => ({
  DATABASE_URL: TEST_DATABASE_URL,
  REDIS_URL: TEST_REDIS_URL,
});

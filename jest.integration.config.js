// Integration tier: test/**/*.spec.ts against real Postgres, Redis, yt-dlp and ffmpeg on local
// fixtures. `npm run test:integration` runs scripts/setup.mjs --test first (services, database,
// build); the global setup makes the fixtures and starts the local media servers.
import unit from './jest.unit.config.js';

export default {
  ...unit,
  displayName: 'integration',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  // Every answer and webhook payload a spec sees is checked against openapi.json.
  setupFilesAfterEnv: ['<rootDir>/test/support/contract-setup.ts'],
  testTimeout: 60000,
};

// Unit tier: the pure specs beside the code (src/**/*.spec.ts). No global setup, so they need no
// Postgres, Redis, fixtures or build and run in seconds.
// Nest 12 is ESM-only, so jest runs in native ESM mode (node --experimental-vm-modules).
// Type-checking happens once in `tsc --noEmit` (see the test script), not per file here.
export default {
  displayName: 'unit',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  maxWorkers: 2,
};

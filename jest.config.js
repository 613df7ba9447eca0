// Both tiers, for running jest directly (`node --experimental-vm-modules node_modules/jest/bin/jest.js
// test/x.spec.ts`); the integration tier's global setup runs only when one of its specs is selected.
// npm scripts use the tier configs: `npm run test:unit`, `npm run test:integration`.
import integration from './jest.integration.config.js';
import unit from './jest.unit.config.js';

// maxWorkers and testTimeout are run-wide options: jest takes them from here, not from a project.
const project = ({ maxWorkers: _, testTimeout: __, ...config }) => ({ rootDir: import.meta.dirname, ...config });

export default {
  projects: [project(unit), project(integration)],
  maxWorkers: 2,
  testTimeout: integration.testTimeout,
};

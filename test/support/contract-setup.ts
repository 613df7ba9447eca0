import { afterAll, expect } from '@jest/globals';
import { checkedFetch, violations } from './contract.js';

// Every integration spec talks to the API through a fetch that checks each answer against
// openapi.json (see contract.ts); webhook receivers check payloads and record what fails.
globalThis.fetch = checkedFetch(globalThis.fetch);

afterAll(() => {
  expect(violations).toEqual([]);
});

#!/usr/bin/env node
// `npm run client`: regenerates the typed TypeScript client (clients/typescript/src/generated)
// from the committed openapi.json with @hey-api/openapi-ts, offline. `--out <dir>` writes it
// elsewhere (the spec that checks the committed client is current compares the two).
import { createClient } from '@hey-api/openapi-ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--out');
const out = at > 0 ? path.resolve(process.argv[at + 1]) : path.join(root, 'clients/typescript/src/generated');

await createClient({
  input: path.join(root, 'openapi.json'),
  output: { path: out, clean: true },
  plugins: ['@hey-api/client-fetch', '@hey-api/typescript', { name: '@hey-api/sdk', operations: { strategy: 'flat' } }],
  logs: { level: 'silent', file: false },
});
console.log(`wrote ${path.relative(root, out) || out}`);

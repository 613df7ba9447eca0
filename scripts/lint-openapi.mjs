#!/usr/bin/env node
// `npm run lint:openapi`: Redocly's recommended rules over openapi.json (see redocly.yaml).
// Redocly fails only on errors; the contract must have no warnings either, so this fails on any
// problem. Runs offline: telemetry and update checks are off.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
const bin = path.join(root, 'node_modules', '.bin', 'redocly');
const run = (format) => spawnSync(bin, ['lint', '--format', format, '--max-problems', '1000'], { cwd: root, env, encoding: 'utf8' });

const json = run('json');
let totals;
try {
  totals = JSON.parse(json.stdout).totals;
} catch {
  process.stderr.write(json.stdout + json.stderr);
  process.exit(1);
}
if (totals.errors === 0 && totals.warnings === 0) {
  console.log(`openapi.json: 0 errors, 0 warnings (Redocly, recommended rules${totals.ignored ? `; ${totals.ignored} ignored` : ''})`);
  process.exit(0);
}
const report = run('stylish');
process.stdout.write(report.stdout.replace(/^.*[║╔╚].*\n/gm, ''));
console.error(`openapi.json: ${totals.errors} errors, ${totals.warnings} warnings`);
process.exit(1);

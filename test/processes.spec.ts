import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, testEnv } from './support/app.js';
import { testServicesEnv } from './support/services.js';
import { ROOT, spawnServer, stop, waitUntil } from './support/processes.js';

const run = promisify(execFile);

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: any; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'dist/src/cli.js'), ...args], { env: { ...process.env, ...testServicesEnv(), ...env } });
    return { code: 0, out: JSON.parse(stdout), stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: null, stderr: e.stderr };
  }
}

describe('the built program', () => {
  let server: ChildProcess & { output: () => string };
  let base: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    const port = await freePort();
    env = testEnv(port);
    base = `http://127.0.0.1:${port}`;
    server = spawnServer('api', env);
    await waitUntil(() => fetch(`${base}/health`).then((r) => r.ok, () => false), 20_000, `the API (${server.output()})`);
  });
  afterAll(async () => stop(server));

  it('admin CLI: create an account, grant credits, mint and revoke keys', async () => {
    const created = await cli(env, 'account:create', '--name', 'acme', '--credits', '25');
    expect(created.code).toBe(0);
    expect(created.out).toMatchObject({ name: 'acme', balance: 25, api_key: expect.stringMatching(/^mdy_live_/) });
    const account = await (await fetch(`${base}/v1/account`, { headers: { authorization: `Bearer ${created.out.api_key}` } })).json();
    expect(account).toMatchObject({ id: created.out.account_id, balance: 25 });

    const granted = await cli(env, 'credits:grant', '--account', created.out.account_id, '--amount', '10', '--reason', 'support');
    expect(granted.out).toEqual({ account_id: created.out.account_id, balance: 35 });
    const key = await cli(env, 'key:create', '--account', created.out.account_id);
    expect(key.out.api_key).toMatch(/^mdy_live_/);
    const revoked = await cli(env, 'key:revoke', '--key-id', key.out.key_id);
    expect(revoked.out.revoked_at).toBeTruthy();
    const refused = await fetch(`${base}/v1/account`, { headers: { 'x-api-key': key.out.api_key } });
    expect(refused.status).toBe(401);

    expect((await cli(env, 'credits:grant', '--account', created.out.account_id, '--amount', 'lots', '--reason', 'x')).code).toBe(2);
    expect((await cli(env, 'nonsense')).code).toBe(2);
  });

  it('serves Swagger UI at /docs and the committed spec at /openapi.json', async () => {
    const docs = await fetch(`${base}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const served = (await (await fetch(`${base}/openapi.json`)).json()) as Record<string, unknown>;
    const committed = JSON.parse(readFileSync(path.join(ROOT, 'openapi.json'), 'utf8'));
    // Run `npm run build && npm run openapi` when this fails: openapi.json is stale.
    expect({ ...served, servers: committed.servers }).toEqual(committed);
    // A running installation names itself (PUBLIC_BASE_URL) as the server.
    expect(served.servers).toEqual([{ url: base, description: expect.any(String) }]);
  });

  it('refuses to start on bad configuration, naming the variable', async () => {
    const bad = spawnServer('api', { ...env, PORT: 'eighty' });
    await waitUntil(() => bad.exitCode !== null, 15_000, 'the bad server to exit');
    expect(bad.exitCode).toBe(1);
    expect(bad.output()).toContain('PORT');
  });
});

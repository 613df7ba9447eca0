import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { call, freePort, media, startApp, type TestApp } from './support/app.js';
import { spawnServer, stop, waitUntil } from './support/processes.js';

// Concurrent identical /v1/info calls on a cache miss: one runs yt-dlp and pays; the others wait
// for its answer and are served from the cache, free.
describe('/v1/info resolves a URL once however many ask at the same time', () => {
  let t: TestApp;
  let other: (ChildProcess & { output: () => string }) | undefined;
  let otherBase: string;

  beforeAll(async () => {
    t = await startApp({}, false);
    const port = await freePort();
    otherBase = `http://127.0.0.1:${port}`;
    other = spawnServer('api', { ...t.env, PORT: String(port) });
    await waitUntil(() => fetch(`${otherBase}/health`).then((r) => r.ok, () => false), 20_000, `the second API (${other?.output()})`);
  });
  afterAll(async () => {
    await stop(other);
    await t.close();
  });

  it.each([
    ['one API process', () => [t.url]],
    ['two API processes', () => [t.url, otherBase]],
  ])('in %s: exactly one caller is charged', async (_where, bases) => {
    const url = `${media('direct.mp4')}?single-flight=${randomBytes(6).toString('hex')}`;
    const accounts = await Promise.all(Array.from({ length: 6 }, () => t.account(3)));
    const answers = await Promise.all(
      accounts.map((a, i) => call(bases()[i % bases().length]!, 'GET', `/v1/info?url=${encodeURIComponent(url)}`, { key: a.key })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(answers.filter((a) => a.body.cached === false)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const balances = await Promise.all(accounts.map(async (a) => (await call(t.url, 'GET', '/v1/account', { key: a.key })).body.balance));
    expect(balances.sort()).toEqual([2, 3, 3, 3, 3, 3]);
  });
});

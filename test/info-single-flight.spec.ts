import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { call, media, startApp, type TestApp } from './support/app.js';
import { startSecondApi } from './support/processes.js';

// Concurrent identical /v1/info calls on a cache miss: one runs yt-dlp and pays; the others wait
// for its answer and are served from the cache, free.
describe('/v1/info resolves a URL once however many ask at the same time', () => {
  let t: TestApp;
  let other: { base: string; stop: () => Promise<void> } | undefined;
  let otherBase: string;

  beforeAll(async () => {
    t = await startApp({}, false);
    other = await startSecondApi(t.env);
    otherBase = other.base;
  });
  afterAll(async () => {
    await other?.stop();
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

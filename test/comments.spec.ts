import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { siteComments, SITE_PLUGIN_DIR, siteUrl, startCommentSite, type SiteComment } from './support/comment-site.js';
import { call, media, startApp, waitForJob, type Reply, type TestApp } from './support/app.js';
import { spawnServer, stop } from './support/processes.js';

interface ApiComment {
  id: string;
  parent_id: string | null;
  author: string | null;
  author_id: string | null;
  author_url?: string;
  text: string;
  likes: number;
  timestamp: string | null;
  pinned: boolean;
  hearted: boolean;
  by_uploader: boolean;
  edited?: boolean;
}

/** Every comment of a job through GET /v1/jobs/{id}/comments, `limit` at a time. */
async function allPages(t: TestApp, key: string, jobId: string, limit: number): Promise<{ comments: ApiComment[]; pages: number }> {
  const comments: ApiComment[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: Reply<{ data: ApiComment[]; next_cursor: string | null }> = await call(t.url, 'GET', `/v1/jobs/${jobId}/comments?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { key });
    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(limit);
    comments.push(...res.body.data);
    cursor = res.body.next_cursor;
    pages++;
  } while (cursor);
  return { comments, pages };
}

/** Every reply's parent is returned, before it; a thread's comments are together. */
function expectThreads(comments: ApiComment[]): void {
  const at = new Map(comments.map((c, i) => [c.id, i]));
  expect(at.size).toBe(comments.length);
  const rootOf = new Map<string, string>();
  for (const [i, c] of comments.entries()) {
    if (c.parent_id === null) {
      rootOf.set(c.id, c.id);
      continue;
    }
    expect(at.get(c.parent_id)).toBeLessThan(i);
    const root = rootOf.get(c.parent_id)!;
    rootOf.set(c.id, root);
    expect(rootOf.get(comments[i - 1]!.id)).toBe(root); // no other thread in between
  }
}

/** A comment returned as the site gave it. */
function expectAsOnSite(c: ApiComment, site: SiteComment): void {
  expect(c).toEqual({
    id: site.id,
    parent_id: site.parent === 'root' ? null : site.parent,
    author: site.author,
    author_id: site.author_id,
    ...(site.author_url ? { author_url: site.author_url } : {}),
    text: site.text,
    likes: site.like_count,
    timestamp: new Date(site.timestamp * 1000).toISOString(),
    pinned: site.is_pinned === true,
    hearted: site.is_favorited,
    by_uploader: site.author_is_uploader,
    edited: site._time_text.includes('(edited)'),
  });
}

describe('comments: threads from a site through a yt-dlp plugin, capped, sorted and paged', () => {
  let t: TestApp;
  let site: http.Server;
  let base: string;
  const watch = (id: string) => `${base}/fixture-video/${id}`;
  const submit = (key: string, body: Record<string, unknown>) => call(t.url, 'POST', '/v1/comments', { key, body });
  const balance = async (key: string) => (await call(t.url, 'GET', '/v1/account', { key })).body.balance as number;

  beforeAll(async () => {
    site = await startCommentSite();
    base = siteUrl(site);
    t = await startApp({ YTDLP_PLUGIN_DIRS: SITE_PLUGIN_DIR });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => site.close(r));
  });

  it('returns exactly max_comments of the site’s 1,250, with its count, threads and flags, top first, each once through the pages', async () => {
    const acct = await t.account(10);
    const res = await submit(acct.key, { url: watch('talk') });
    expect([res.status, res.body.credits_charged]).toEqual([202, 1]);
    const job = await waitForJob(t.url, acct.key, res.body.job_id, 120_000);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ comment_count: 1250, comments_available: true, returned: 1000, sort: 'top', comments_file: 'comments.json' });
    expect([job.credits_charged, job.credits_refunded, job.platform]).toEqual([1, 0, 'mediaryfixture']);
    expect(job.input).toMatchObject({ max_comments: 1000, sort: 'top', include_replies: true });

    const { comments, pages } = await allPages(t, acct.key, job.id, 137);
    expect([comments.length, pages]).toEqual([1000, 8]);
    expectThreads(comments);
    const roots = comments.filter((c) => c.parent_id === null);
    expect(job.result.threads).toBe(roots.length);
    // Pinned first although one like; then threads by likes, most first.
    expect(comments[0]).toMatchObject({ id: 'talk-c17', pinned: true, by_uploader: true, likes: 1 });
    for (let i = 2; i < roots.length; i++) expect(roots[i]!.likes).toBeLessThanOrEqual(roots[i - 1]!.likes);
    // The threads returned are the site's best: none left out has more likes than the last one in.
    const site = siteComments('talk', base);
    const kept = new Set(comments.map((c) => c.id));
    const leftOut = site.filter((c) => c.parent === 'root' && !kept.has(c.id));
    expect(Math.max(...leftOut.map((c) => c.like_count))).toBeLessThanOrEqual(roots.at(-1)!.likes);

    // Each as the site wrote it: unicode, emoji, quotes and newlines, likes, times, flags.
    const original = new Map(site.map((c) => [c.id, c]));
    for (const c of comments) expectAsOnSite(c, original.get(c.id)!);
    expect(comments.filter((c) => /\p{Extended_Pictographic}|[\u3040-\u30ff]/u.test(c.text)).length).toBeGreaterThan(10);
    // The file holds the same comments in the same order.
    const file = job.result.files.find((f: { kind: string }) => f.kind === 'comments');
    expect(file).toMatchObject({ filename: 'comments.json', content_type: 'application/json' });
    const doc = JSON.parse(Buffer.from(await (await fetch(file.url)).arrayBuffer()).toString('utf8'));
    expect(doc).toMatchObject({ comment_count: 1250, returned: 1000, sort: 'top' });
    expect(doc.comments).toEqual(comments);
  }, 180_000);

  it('settles to what was returned: 5,000 asked (5 credits), all 1,250 returned costs 2', async () => {
    const acct = await t.account(10);
    const res = await submit(acct.key, { url: watch('talk'), max_comments: 5000, sort: 'new' });
    expect(res.body.credits_charged).toBe(5);
    const job = await waitForJob(t.url, acct.key, res.body.job_id, 120_000);
    expect(job.result).toMatchObject({ returned: 1250, comment_count: 1250, sort: 'new' });
    expect([job.credits_charged, job.credits_refunded]).toEqual([5, 3]);
    expect(await balance(acct.key)).toBe(8);
    const { comments } = await allPages(t, acct.key, job.id, 500);
    expect(new Set(comments.map((c) => c.id))).toEqual(new Set(siteComments('talk', base).map((c) => c.id)));
    expectThreads(comments);
    const roots = comments.filter((c) => c.parent_id === null);
    for (let i = 1; i < roots.length; i++) expect(Date.parse(roots[i]!.timestamp!)).toBeLessThanOrEqual(Date.parse(roots[i - 1]!.timestamp!));
    expect(roots[0]!.pinned).toBe(false);
    const byId = new Map(comments.map((c) => [c.id, c]));
    const original = new Map(siteComments('talk', base).map((c) => [c.id, c]));
    for (const c of comments) expectAsOnSite(c, original.get(c.id)!);
    expect(byId.get('talk-c17')).toMatchObject({ pinned: true, by_uploader: true });
    expect(comments.filter((c) => c.pinned).map((c) => c.id)).toEqual(['talk-c17']);
    expect(comments.filter((c) => c.hearted).map((c) => c.id).sort()).toEqual(['talk-c3', 'talk-c4-r0', 'talk-c42']);
    expect(comments.filter((c) => c.edited).map((c) => c.id)).toEqual(['talk-c5']);
    expect(byId.get('talk-c4-r2')).toMatchObject({ by_uploader: true, author: 'The Uploader', parent_id: 'talk-c4' });
    // Four replies deep, each under the one before.
    expect(['talk-c9-r3', 'talk-c9-r2', 'talk-c9-r1', 'talk-c9-r0'].map((id) => byId.get(id)?.parent_id)).toEqual(['talk-c9-r2', 'talk-c9-r1', 'talk-c9-r0', 'talk-c9']);
    expect(byId.get('talk-c0')).toMatchObject({ author_url: `${base}/@viewer0`, timestamp: '2026-01-01T00:00:00.000Z' });
    expect(byId.get('talk-c1')).not.toHaveProperty('author_url');
  }, 180_000);

  it('keeps thread starters only, or the first replies of each thread', async () => {
    const acct = await t.account(10);
    const [starters, few] = await Promise.all([
      submit(acct.key, { url: watch('talk'), max_comments: 300, include_replies: false }),
      submit(acct.key, { url: watch('talk'), max_comments: 2000, max_replies_per_thread: 1 }),
    ]);
    const a = await waitForJob(t.url, acct.key, starters.body.job_id, 120_000);
    const b = await waitForJob(t.url, acct.key, few.body.job_id, 120_000);
    expect(a.result).toMatchObject({ returned: 300, threads: 300 });
    expect((await allPages(t, acct.key, a.id, 500)).comments.every((c) => c.parent_id === null)).toBe(true);
    const { comments } = await allPages(t, acct.key, b.id, 500);
    expectThreads(comments);
    const replies = new Map<string, number>();
    for (const c of comments) if (c.parent_id) replies.set(c.parent_id, (replies.get(c.parent_id) ?? 0) + 1);
    expect(Math.max(...replies.values())).toBe(1);
    // Every thread of the site, with its first reply when it has one.
    const site = siteComments('talk', base);
    const threads = site.filter((c) => c.parent === 'root');
    const answered = new Set(site.filter((c) => c.parent !== 'root').map((c) => c.id.replace(/-r\d+$/, '')));
    expect(b.result).toMatchObject({ threads: threads.length, returned: threads.length + answered.size });
    expect(comments.filter((c) => c.parent_id !== null).every((c) => c.id.endsWith('-r0'))).toBe(true);
  }, 180_000);

  it('a video without comments, or a site without them, completes with returned 0 at the minimum price', async () => {
    const acct = await t.account(10);
    const quiet = await waitForJob(t.url, acct.key, (await submit(acct.key, { url: watch('quiet'), max_comments: 2000 })).body.job_id, 120_000);
    expect(quiet.result).toMatchObject({ returned: 0, threads: 0, comments_available: false, comment_count: null });
    expect([quiet.status, quiet.credits_charged, quiet.credits_refunded]).toEqual(['completed', 2, 1]);
    const empty = await waitForJob(t.url, acct.key, (await submit(acct.key, { url: watch('empty') })).body.job_id, 120_000);
    expect(empty.result).toMatchObject({ returned: 0, comments_available: true, comment_count: 0 });
    const generic = await waitForJob(t.url, acct.key, (await submit(acct.key, { url: media('direct.mp4') })).body.job_id, 120_000);
    expect(generic.result).toMatchObject({ returned: 0, comments_available: false });
    expect(await allPages(t, acct.key, generic.id, 10)).toEqual({ comments: [], pages: 1 });
  }, 180_000);

  it('a page that is not a video fails with unsupported_url and is refunded; a list of videos is refused likewise', async () => {
    const acct = await t.account(10);
    const about = await waitForJob(t.url, acct.key, (await submit(acct.key, { url: `${base}/about`, max_comments: 3000 })).body.job_id, 120_000);
    expect([about.status, about.error?.code, about.credits_refunded]).toEqual(['failed', 'unsupported_url', 3]);
    const list = await waitForJob(t.url, acct.key, (await submit(acct.key, { url: media('two-videos.html') })).body.job_id, 120_000);
    expect([list.status, list.error?.code, list.credits_refunded]).toEqual(['failed', 'validation_failed', 1]);
    expect(await balance(acct.key)).toBe(10);
    expect((await call(t.url, 'GET', `/v1/jobs/${about.id}/comments`, { key: acct.key })).body.code).toBe('conflict');
  }, 180_000);

  it('refuses bad requests with 422 before any charge', async () => {
    const acct = await t.account(3);
    const bad = [
      { url: watch('talk'), max_comments: 20_001 },
      { url: watch('talk'), max_comments: 0 },
      { url: watch('talk'), sort: 'best' },
      { url: watch('talk'), include_replies: false, max_replies_per_thread: 2 },
      { url: watch('talk'), include_replies: 'yes' },
      { upload_id: '5f8a3c1e-2b4d-4e6f-8a9b-0c1d2e3f4a5b' },
      { url: 'ftp://example.com/v' },
    ];
    for (const body of bad) {
      const res = await submit(acct.key, body);
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 422, 'validation_failed']);
    }
    expect((await submit(acct.key, { url: watch('talk'), max_comments: 20_001 })).body.errors).toEqual([{ field: 'max_comments', message: 'max_comments must be at most 20000' }]);
    expect((await submit(acct.key, { url: watch('talk'), max_comments: 4000 })).body).toMatchObject({ code: 'insufficient_credits', required: 4, available: 3 });
    expect(await balance(acct.key)).toBe(3);
  });

  it('pages only the account’s own completed jobs, with cursors of its own; a deleted job’s comments are gone', async () => {
    const acct = await t.account(5);
    const other = await t.account(5);
    const job = await waitForJob(t.url, acct.key, (await submit(acct.key, { url: watch('talk'), max_comments: 50 })).body.job_id, 120_000);
    expect((await call(t.url, 'GET', `/v1/jobs/${job.id}/comments`, { key: other.key })).status).toBe(404);
    expect((await call(t.url, 'GET', `/v1/jobs/${job.id}/comments?limit=501`, { key: acct.key })).body.code).toBe('validation_failed');
    expect((await call(t.url, 'GET', `/v1/jobs/${job.id}/comments?cursor=bm9wZQ`, { key: acct.key })).body.code).toBe('validation_failed');
    const first = await call(t.url, 'GET', `/v1/jobs/${job.id}/comments?limit=20`, { key: acct.key });
    expect(first.body.data).toHaveLength(20);
    const second = await call(t.url, 'GET', `/v1/jobs/${job.id}/comments?limit=100&cursor=${first.body.next_cursor}`, { key: acct.key });
    expect([second.body.data.length, second.body.next_cursor]).toEqual([30, null]);
    expect((await call(t.url, 'DELETE', `/v1/jobs/${job.id}`, { key: acct.key })).status).toBe(200);
    expect((await call(t.url, 'GET', `/v1/jobs/${job.id}/comments`, { key: acct.key })).status).toBe(404);
    expect((await t.db.query('SELECT count(*)::int AS n FROM job_comments WHERE job_id = $1', [job.id]))[0].n).toBe(0);
  }, 180_000);
});

describe('comments: memory of a worker reading 20,000 of 25,000 comments', () => {
  let t: TestApp;
  let site: http.Server;
  let worker: ChildProcess;

  beforeAll(async () => {
    site = await startCommentSite();
    t = await startApp({ YTDLP_PLUGIN_DIRS: SITE_PLUGIN_DIR }, false);
    worker = spawnServer('worker', { ...t.env, WORKER_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    await stop(worker);
    await t.close();
    await new Promise((r) => site.close(r));
  });

  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'))![1]) * 1024;

  it('grows the worker’s resident memory by less than 64 MB', async () => {
    const acct = await t.account(40);
    const url = (id: string) => `${siteUrl(site)}/fixture-video/${id}`;
    // A small job first, so that what is measured is the comments, not code loaded once.
    const warm = await call(t.url, 'POST', '/v1/comments', { key: acct.key, body: { url: url('talk'), max_comments: 100 } });
    expect((await waitForJob(t.url, acct.key, warm.body.job_id, 120_000)).status).toBe('completed');
    const before = rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rss())), 25);
    const res = await call(t.url, 'POST', '/v1/comments', { key: acct.key, body: { url: url('big-25000'), max_comments: 20_000 } });
    expect(res.body.credits_charged).toBe(20);
    const job = await waitForJob(t.url, acct.key, res.body.job_id, 300_000);
    clearInterval(sampler);
    expect(job.status).toBe('completed');
    expect(job.result).toMatchObject({ comment_count: 25_000, returned: 20_000 });
    const growthMb = (peak - before) / 1024 / 1024;
    console.log(`20,000 of 25,000 comments: worker RSS ${Math.round(before / 1048576)} MB → peak ${Math.round(peak / 1048576)} MB (+${growthMb.toFixed(1)} MB)`);
    expect(growthMb).toBeLessThan(64);
  }, 400_000);
});

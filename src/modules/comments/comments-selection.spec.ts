import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CommentSelection, type SelectionLimits } from './comments-selection.js';
import type { Comment } from './comments.job.js';

const c = (id: string, parent: string | null, likes = 0, day = 1, pinned = false): Comment => ({
  id, parent_id: parent, author: null, author_id: null, text: id, likes, timestamp: new Date(Date.UTC(2026, 0, day)).toISOString(), pinned, hearted: false, by_uploader: false,
});

function select(comments: Comment[], limits: Partial<SelectionLimits>): string[] {
  const s = new CommentSelection({ maxComments: 1000, sort: 'top', includeReplies: true, maxRepliesPerThread: null, ...limits });
  for (const x of comments) s.add(x);
  const out = [...s.ordered()].map((x) => x.id);
  expect(s.counts().returned).toBe(out.length);
  return out;
}

describe('CommentSelection', () => {
  const site = [
    c('a', null, 5, 1), c('a1', 'a', 0, 3), c('a1x', 'a1', 0, 4), c('a2', 'a', 9, 2),
    c('b', null, 50, 2), c('b1', 'b', 0, 3),
    c('p', null, 0, 1, true),
    c('n', null, 1, 9), c('n1', 'n', 0, 10),
  ];

  it('orders threads by likes with the pinned first, each root followed by its replies (oldest first, each before its own)', () => {
    expect(select(site, {})).toEqual(['p', 'b', 'b1', 'a', 'a2', 'a1', 'a1x', 'n', 'n1']);
  });

  it('orders threads newest first for `new`', () => {
    expect(select(site, { sort: 'new' })).toEqual(['n', 'n1', 'b', 'b1', 'a', 'a2', 'a1', 'a1x', 'p']);
  });

  it('returns exactly the cap, cutting the last thread, never a reply without its parent', () => {
    expect(select(site, { maxComments: 4 })).toEqual(['p', 'b', 'b1', 'a']);
    expect(select(site, { maxComments: 5 })).toEqual(['p', 'b', 'b1', 'a', 'a1']);
    expect(select(site, { maxComments: 1, sort: 'new' })).toEqual(['n']);
  });

  it('leaves replies out, or keeps the first few of each thread', () => {
    expect(select(site, { includeReplies: false })).toEqual(['p', 'b', 'a', 'n']);
    expect(select(site, { maxRepliesPerThread: 1 })).toEqual(['p', 'b', 'b1', 'a', 'a1', 'n', 'n1']);
  });

  it('drops replies whose parent it never saw, and repeats of a comment', () => {
    expect(select([c('r1', 'ghost'), c('a', null), c('a', null), c('a1', 'a'), c('a1', 'a')], {})).toEqual(['a', 'a1']);
  });

  it('keeps what ranking every thread and cutting at the cap keeps, whatever the order comments come in', () => {
    const stream = fc.array(fc.record({ parent: fc.nat(40), root: fc.boolean(), likes: fc.nat(5), day: fc.integer({ min: 1, max: 20 }), pinned: fc.boolean() }), { maxLength: 60 });
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 25 }), fc.constantFrom('top', 'new'), fc.option(fc.nat(3), { nil: null }), (specs, max, sort, perThread) => {
        const comments = specs.map((s, i) => c(`c${i}`, s.root || i === 0 ? null : `c${s.parent % i}`, s.likes, s.day, s.pinned && s.root));
        const limits = { maxComments: max, sort: sort as 'top' | 'new', includeReplies: true, maxRepliesPerThread: perThread };
        const got = select(comments, limits);
        expect(new Set(got)).toEqual(new Set(reference(comments, limits)));
        // Every reply comes after its parent, and threads come in order.
        const at = new Map(got.map((id, i) => [id, i]));
        for (const id of got) {
          const parent = comments.find((x) => x.id === id)!.parent_id;
          if (parent !== null) expect(at.get(parent)).toBeLessThan(at.get(id)!);
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** Every thread ranked, each with the replies read first (per thread limit), concatenated and cut at the cap. */
function reference(comments: Comment[], limits: SelectionLimits): string[] {
  const threadOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  const seq = new Map<string, number>();
  comments.forEach((x, i) => {
    if (threadOf.has(x.id)) return;
    if (x.parent_id === null) {
      threadOf.set(x.id, x.id);
      members.set(x.id, [x.id]);
      seq.set(x.id, i);
      return;
    }
    const root = threadOf.get(x.parent_id);
    if (root === undefined) return;
    const list = members.get(root)!;
    if (limits.maxRepliesPerThread !== null && list.length - 1 >= limits.maxRepliesPerThread) return;
    threadOf.set(x.id, root);
    list.push(x.id);
  });
  const byId = new Map(comments.map((x) => [x.id, x]));
  const key = (id: string) => {
    const x = byId.get(id)!;
    return [limits.sort === 'top' ? (x.pinned ? 1 : 0) : 0, limits.sort === 'top' ? x.likes : 0, Date.parse(x.timestamp!), -seq.get(id)!];
  };
  const roots = [...members.keys()].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
    return 0;
  });
  return roots.flatMap((r) => members.get(r)!).slice(0, limits.maxComments);
}

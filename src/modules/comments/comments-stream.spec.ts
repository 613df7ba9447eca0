import { describe, expect, it } from '@jest/globals';
import { InfoJsonReader, normalizeComment, type InfoJsonSummary } from './comments-stream.js';

const FIELDS = ['comment_count', 'extractor_key', 'title'];

function read(pieces: string[], maxCommentChars = 10_000): { summary: InfoJsonSummary; comments: Array<Record<string, unknown>> } {
  const comments: Array<Record<string, unknown>> = [];
  const reader = new InfoJsonReader({ fields: FIELDS, maxCommentChars, onComment: (c) => comments.push(c) });
  for (const piece of pieces) reader.push(piece);
  return { summary: reader.end(), comments };
}

const COMMENTS = [
  { id: 'a', parent: 'root', text: 'braces } ] { [ and "quotes", a back\\slash, "comments": [', like_count: 3, nested: { deep: [1, { x: '}' }] } },
  { id: 'b', parent: 'a', text: 'Grüße 👋🏽 日本語 👨‍👩‍👧', like_count: 0 },
  { id: 'c', parent: 'root', text: '\\u escapes: \u00e9 \u2028', timestamp: 1767225600 },
];
const DOC = JSON.stringify({
  id: 'v1',
  title: 'A "title" with {braces}',
  formats: [{ url: 'https://x/y', comment_count: 99 }],
  description: 'x'.repeat(10_000),
  tags: { comments: [{ id: 'not-a-comment' }] },
  comment_count: 1250,
  comments: COMMENTS,
  extractor_key: 'Youtube',
  empty: [],
});

describe('InfoJsonReader', () => {
  it('reads the top-level fields asked for and each comment, and nothing nested elsewhere', () => {
    const { summary, comments } = read([DOC]);
    expect(summary).toEqual({ fields: { comment_count: 1250, extractor_key: 'Youtube', title: 'A "title" with {braces}' }, hasComments: true, comments: 3, skipped: 0 });
    expect(comments).toEqual(COMMENTS);
  });

  it('gives the same whatever the pieces: split at every place, and one character at a time', () => {
    const whole = read([DOC]);
    for (let at = 1; at < DOC.length; at += 7) expect(read([DOC.slice(0, at), DOC.slice(at)])).toEqual(whole);
    expect(read([...DOC])).toEqual(whole);
  });

  it('says when there are no comments: the key missing, or null', () => {
    expect(read([JSON.stringify({ id: 'v', comment_count: null })]).summary).toMatchObject({ hasComments: false, comments: 0, fields: { comment_count: null } });
    expect(read([JSON.stringify({ id: 'v', comments: null })]).summary.hasComments).toBe(false);
    expect(read([JSON.stringify({ id: 'v', comments: [] })]).summary).toMatchObject({ hasComments: true, comments: 0 });
  });

  it('skips a comment longer than the limit, and elements that are not objects, and goes on', () => {
    const doc = JSON.stringify({ comments: [{ id: 'long', text: 'y'.repeat(500) }, 'text', 12345, null, { id: 'ok' }] });
    const { summary, comments } = read([doc.slice(0, 100), doc.slice(100)], 200);
    expect(comments).toEqual([{ id: 'ok' }]);
    expect(summary).toMatchObject({ comments: 1, skipped: 4 });
  });

  it('refuses a document cut short or that is not an object', () => {
    expect(() => read([DOC.slice(0, -10)])).toThrow(/incomplete/);
    expect(() => read(['[1, 2]'])).toThrow(/not an object/);
    expect(() => read([''])).toThrow(/incomplete/);
  });

  it('scans past a 10 MB field it was not asked for, then reads 60,000 comments and the field after them', () => {
    let seen = 0;
    const reader = new InfoJsonReader({ fields: FIELDS, maxCommentChars: 10_000, onComment: () => seen++ });
    reader.push('{"id":"v","description":"');
    const filler = 'z'.repeat(1024 * 1024);
    for (let i = 0; i < 10; i++) reader.push(filler);
    reader.push('","comments":[');
    const comment = JSON.stringify({ id: 'c', parent: 'root', text: 'w'.repeat(300) });
    for (let i = 0; i < 60_000; i++) reader.push(i ? `,${comment}` : comment);
    reader.push('],"comment_count":60000}');
    expect(reader.end()).toMatchObject({ comments: 60_000, fields: { comment_count: 60000 } });
    expect(seen).toBe(60_000);
  });
});

describe('normalizeComment', () => {
  it('maps yt-dlp’s fields to the API’s', () => {
    expect(
      normalizeComment(
        {
          id: 'Ugx1', parent: 'root', text: 'hi', author: 'Ann', author_id: 'UC1', author_url: 'https://e.com/@ann', like_count: 12, timestamp: 1767225600,
          is_pinned: true, is_favorited: true, author_is_uploader: false, _time_text: '3 days ago (edited)',
        },
        0,
      ),
    ).toEqual({
      id: 'Ugx1', parent_id: null, author: 'Ann', author_id: 'UC1', author_url: 'https://e.com/@ann', text: 'hi', likes: 12, timestamp: '2026-01-01T00:00:00.000Z',
      pinned: true, hearted: true, by_uploader: false, edited: true,
    });
  });

  it('fills what the site leaves out, and leaves `edited` out when the site does not say', () => {
    const c = normalizeComment({ html: '<b>bold</b> &amp; <i>more</i><br>line', parent: 'x9', like_count: -4 }, 7);
    expect(c).toEqual({ id: '#7', parent_id: 'x9', author: null, author_id: null, text: 'bold & more\nline', likes: 0, timestamp: null, pinned: false, hearted: false, by_uploader: false });
    expect(normalizeComment({ id: 5, time_text: '1 day ago' }, 0)).toMatchObject({ id: '5', edited: false });
  });

  it('cleans text that no JSON reader or database would take: NUL and lone surrogate halves', () => {
    expect(normalizeComment({ id: 'a', text: 'a\u0000b \ud83d c 😀' }, 0).text).toBe('ab \ufffd c 😀');
  });
});

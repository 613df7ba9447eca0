import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('cursor', () => {
  it.each<Array<string | number>>([
    ['2024-05-01T12:00:00.000Z', 'job_01HXYZ'],
    [42, 'a,b'],
    ['ünïcödé', -1.5],
    [0],
  ])('round-trips %j', (...parts) => {
    const cursor = encodeCursor(parts);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, parts.length)).toEqual(parts);
  });

  it.each([
    ['garbage', '!!!not-a-cursor!!!', 2],
    ['empty', '', 2],
    ['base64 of non-JSON', Buffer.from('hello').toString('base64url'), 1],
    ['wrong arity (too few)', encodeCursor(['a']), 2],
    ['wrong arity (too many)', encodeCursor(['a', 1, 'b']), 2],
    ['not an array', Buffer.from('{"a":1}').toString('base64url'), 1],
    ['nested values', Buffer.from('[["x"],1]').toString('base64url'), 2],
    ['null element', Buffer.from('[null,1]').toString('base64url'), 2],
  ])('%s → null', (_name, cursor, arity) => {
    expect(decodeCursor(cursor, arity)).toBeNull();
  });
});

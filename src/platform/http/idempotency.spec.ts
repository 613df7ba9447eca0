import { describe, expect, it } from '@jest/globals';
import { canonicalJson } from './idempotency.js';

describe('canonicalJson', () => {
  it.each<[unknown, unknown]>([
    [{ a: 1, b: 2 }, { b: 2, a: 1 }],
    [{ url: 'https://e.com', opts: { format: 'mp4', trim: { start: 1, end: 2 } } }, { opts: { trim: { end: 2, start: 1 }, format: 'mp4' }, url: 'https://e.com' }],
    [[{ y: 1, x: 2 }], [{ x: 2, y: 1 }]],
    [{ a: 1, skipped: undefined }, { a: 1 }],
  ])('%j and %j are equal', (a, b) => {
    expect(canonicalJson(a)).toBe(canonicalJson(b));
  });

  it.each<[unknown, unknown]>([
    [[1, 2], [2, 1]],
    [{ a: 1 }, { a: '1' }],
    [{ a: null }, {}],
    [{ a: { b: 1 } }, { a: { b: 2 } }],
  ])('%j and %j differ', (a, b) => {
    expect(canonicalJson(a)).not.toBe(canonicalJson(b));
  });

  it.each<[unknown, string]>([
    [{ b: [1, { d: 'x', c: true }], a: null }, '{"a":null,"b":[1,{"c":true,"d":"x"}]}'],
    [{ 'é': 1, Z: 2, a: 3 }, '{"Z":2,"a":3,"é":1}'],
    [{ 'q"uote': 'line\nbreak' }, '{"q\\"uote":"line\\nbreak"}'],
    [undefined, 'null'],
    [null, 'null'],
    ['text', '"text"'],
    [42, '42'],
    [[], '[]'],
    [{}, '{}'],
  ])('%j → %s (valid, sorted JSON)', (value, expected) => {
    const text = canonicalJson(value);
    expect(text).toBe(expected);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value ?? null)));
  });
});

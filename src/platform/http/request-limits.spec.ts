import { describe, expect, it } from '@jest/globals';
import { containsNul, jsonDepthExceeds } from './request-limits.js';

describe('jsonDepthExceeds', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonDepthExceeds('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[{"b":1}]}', 2)).toBe(true);
    expect(jsonDepthExceeds(`{"s":"${'['.repeat(100)}"}`, 1)).toBe(false);
    expect(jsonDepthExceeds('{"s":"a\\"[[[[["}', 1)).toBe(false);
  });

  it('stops early on a body nested thousands of levels deep', () => {
    expect(jsonDepthExceeds('['.repeat(100_000) + ']'.repeat(100_000), 32)).toBe(true);
  });
});

describe('containsNul', () => {
  it('finds a NUL in any string or key, at any depth', () => {
    expect(containsNul({ a: [{ b: 'x\u0000' }] })).toBe(true);
    expect(containsNul({ ['k\u0000']: 1 })).toBe(true);
    expect(containsNul({ a: ['\\u0000 is text'], n: 0, z: null })).toBe(false);
  });
});

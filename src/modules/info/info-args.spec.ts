import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PRICES } from '../../config.js';
import { estimateCredits, infoArgs } from './info-args.js';

describe('estimateCredits', () => {
  it('lists each operation that exists at its price, and nothing not yet built', () => {
    expect(estimateCredits({ ...DEFAULT_PRICES, transcribe: 9 })).toEqual({ download: 1, download_reencode: 2, transcribe: 9, translate: 4, preview: 1, fingerprint: 1, comments: 1 });
  });
});

function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

describe('infoArgs', () => {
  it('asks for JSON of at most maxEntries entries, URL after --', () => {
    const args = infoArgs('https://e.com/list', { maxDurationSeconds: 3600, maxEntries: 5 });
    expect(args).toContain('-J');
    expect(valueOf(args, '--playlist-items')).toBe('1:5');
    expect(valueOf(args, '--match-filter')).toContain('duration<?3600');
    expect(args).not.toContain('--proxy');
    expect(args.slice(-2)).toEqual(['--', 'https://e.com/list']);
  });

  it('passes a proxy', () => {
    expect(valueOf(infoArgs('https://e.com/v', { maxDurationSeconds: 1, maxEntries: 1, proxy: 'http://p:1' }), '--proxy')).toBe('http://p:1');
  });
});

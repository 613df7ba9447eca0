import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PRICES } from '../../config.js';
import { commentsArgs, commentsPrice, extractorArgs, parseSiteCount } from './comments-args.js';

const valueOf = (args: string[], flag: string) => {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
};
const limits = { maxComments: 1500, sort: 'top' as const, includeReplies: true, maxRepliesPerThread: null };

describe('commentsArgs', () => {
  it('writes the info JSON with comments and no media, prints the site’s count first, URL after --', () => {
    const args = commentsArgs('https://e.com/v?id=1', { ...limits, outputDir: '/work/j' });
    expect(args).toEqual(expect.arrayContaining(['--skip-download', '--no-simulate', '--write-comments', '--write-info-json', '--no-playlist', '--ignore-config']));
    expect(valueOf(args, '--print')).toBe('pre_process:%(comment_count)j');
    expect(valueOf(args, '-P')).toBe('/work/j');
    expect(valueOf(args, '-o')).toBe('comments.%(ext)s');
    expect(valueOf(args, '--match-filter')).toBe('!playlist_index');
    expect(args.filter((a) => a === '--match-filter')).toHaveLength(1); // no duration limit: the media is never touched
    expect(args).not.toContain('--proxy');
    expect(args.slice(-2)).toEqual(['--', 'https://e.com/v?id=1']);
  });

  it('goes through the proxy it is given', () => {
    expect(valueOf(commentsArgs('https://e.com/v', { ...limits, outputDir: '/w', proxy: 'http://t:x@127.0.0.1:9' }), '--proxy')).toBe('http://t:x@127.0.0.1:9');
  });

  it('passes the limits and the order to the extractors that take them', () => {
    expect(extractorArgs(limits)).toBe('youtube:max_comments=1500,all,all,all;comment_sort=top');
    expect(extractorArgs({ ...limits, sort: 'new', maxRepliesPerThread: 3 })).toBe('youtube:max_comments=1500,all,all,3;comment_sort=new');
    expect(extractorArgs({ ...limits, includeReplies: false, maxRepliesPerThread: 3 })).toBe('youtube:max_comments=1500,all,0,all;comment_sort=top');
    expect(valueOf(commentsArgs('https://e.com/v', { ...limits, outputDir: '/w' }), '--extractor-args')).toBe(extractorArgs(limits));
  });
});

describe('commentsPrice', () => {
  it('charges per started thousand, never less than one thousand’s price', () => {
    expect([0, 1, 1000, 1001, 2000, 19_999, 20_000].map((n) => commentsPrice(DEFAULT_PRICES, n))).toEqual([1, 1, 1, 2, 2, 20, 20]);
    expect(commentsPrice({ ...DEFAULT_PRICES, comments: 3 }, 2500)).toBe(9);
  });
});

describe('parseSiteCount', () => {
  it('reads the count yt-dlp printed, null when the site gave none', () => {
    expect(parseSiteCount('1250\n')).toBe(1250);
    expect(parseSiteCount('"NA"\n')).toBeNull();
    expect(parseSiteCount('null\n')).toBeNull();
    expect(parseSiteCount('')).toBeNull();
    expect(parseSiteCount('-3\n')).toBeNull();
  });
});

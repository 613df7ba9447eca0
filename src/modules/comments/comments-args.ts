import type { PriceTable } from '../../config.js';
import { ytdlpCommonArgs } from '../../platform/tools/ytdlp-args.js';
import type { CommentSort } from './comments.job.js';

/** Comments are priced per started thousand asked for. */
export const COMMENTS_PER_PRICE_UNIT = 1000;

/** What asking for `count` comments costs: the comments price per started thousand, never less than one thousand's. */
export function commentsPrice(prices: PriceTable, count: number): number {
  return prices.comments * Math.max(1, Math.ceil(count / COMMENTS_PER_PRICE_UNIT));
}

export interface CommentLimits {
  maxComments: number;
  sort: CommentSort;
  includeReplies: boolean;
  /** Null: as many as the site has (within `maxComments`). */
  maxRepliesPerThread: number | null;
}

/** The info JSON yt-dlp writes (`<name>.info.json` in the work directory). */
export const INFO_JSON_NAME = 'comments';

/**
 * The limits for the extractors that take them. YouTube's `max_comments` is
 * `max-comments,max-parents,max-replies,max-replies-per-thread`; the others ignore these, so the
 * caller enforces every limit and the order itself.
 */
export function extractorArgs(limits: CommentLimits): string {
  const replies = limits.includeReplies ? 'all' : '0';
  const perThread = limits.includeReplies && limits.maxRepliesPerThread !== null ? String(limits.maxRepliesPerThread) : 'all';
  return `youtube:max_comments=${limits.maxComments},all,${replies},${perThread};comment_sort=${limits.sort}`;
}

/**
 * Comments of one video, without the media: yt-dlp writes its info JSON, comments included, to
 * `outputDir` (streamed from there, however many there are) and prints on stdout the comment count
 * the site gave before the comments were fetched (yt-dlp then replaces it with how many it fetched).
 */
export function commentsArgs(url: string, opts: { proxy?: string; outputDir: string } & CommentLimits): string[] {
  return [
    ...ytdlpCommonArgs({ proxy: opts.proxy, maxDurationSeconds: null }),
    // One video: a page that is a list of them is skipped before any comment is fetched.
    '--match-filter',
    '!playlist_index',
    '--skip-download',
    '--no-simulate',
    '--write-comments',
    '--write-info-json',
    '--no-write-playlist-metafiles',
    '--no-playlist',
    '--playlist-items',
    '1',
    '--extractor-args',
    extractorArgs(opts),
    '--print',
    'pre_process:%(comment_count)j',
    '-P',
    opts.outputDir,
    '-o',
    `${INFO_JSON_NAME}.%(ext)s`,
    '--',
    url,
  ];
}

/** The site's comment count from what `commentsArgs` prints: a whole number, or null when the site did not say. */
export function parseSiteCount(stdout: string): number | null {
  const line = stdout.trim().split('\n')[0]?.trim() ?? '';
  return /^\d{1,12}$/.test(line) ? Number(line) : null;
}

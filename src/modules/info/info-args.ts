import type { PriceTable } from '../../config.js';
import { ytdlpCommonArgs, type YtdlpCommon } from '../../platform/tools/ytdlp-args.js';

/** `yt-dlp -J` for metadata; a page with several videos yields at most `maxEntries` entries. */
export function infoArgs(url: string, opts: YtdlpCommon & { maxEntries: number }): string[] {
  return [...ytdlpCommonArgs(opts), '-J', '--playlist-items', `1:${opts.maxEntries}`, '--', url];
}

/** `estimated_credits` in /v1/info: what each operation that exists would cost for this media. */
export function estimateCredits(prices: PriceTable): Record<string, number> {
  return {
    download: prices.download,
    download_reencode: prices.download_reencode,
    transcribe: prices.transcribe,
    translate: prices.translate,
    preview: prices.preview,
    fingerprint: prices.fingerprint,
    comments: prices.comments,
  };
}

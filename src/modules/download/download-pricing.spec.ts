import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PRICES } from '../../config.js';
import { downloadNeedsReencode, priceDownload, type DownloadPricingInput } from './download-pricing.js';

describe('downloadNeedsReencode / priceDownload', () => {
  it.each<[string, DownloadPricingInput, boolean, number]>([
    ['nothing given (mp4)', {}, false, 1],
    ['mp4', { format: 'mp4' }, false, 1],
    ['mkv (container change is a copy)', { format: 'mkv' }, false, 1],
    ['webm at 720p', { format: 'webm', quality: '720p' }, false, 1],
    ['m4a', { format: 'm4a' }, false, 1],
    ['audio_only without format (m4a)', { audio_only: true }, false, 1],
    ['mp3', { format: 'mp3' }, true, 2],
    ['audio_only mp3', { format: 'mp3', audio_only: true }, true, 2],
    ['wav', { format: 'wav' }, true, 2],
    ['opus', { format: 'opus' }, true, 2],
    ['trim on mp4', { format: 'mp4', trim: { start: 1, end: 2 } }, true, 2],
    ['trim starting at 0', { trim: { start: 0, end: 10 } }, true, 2],
    ['128k on m4a', { format: 'm4a', quality: '128k' }, true, 2],
    ['128k audio_only', { audio_only: true, quality: '128k' }, true, 2],
    ['best quality', { quality: 'best' }, false, 1],
  ])('%s → reencode %s, %i credit(s)', (_name, input, reencode, price) => {
    expect(downloadNeedsReencode(input)).toBe(reencode);
    expect(priceDownload(DEFAULT_PRICES, input)).toBe(price);
  });

  it('uses the table it is given', () => {
    const prices = { ...DEFAULT_PRICES, download: 7, download_reencode: 11 };
    expect(priceDownload(prices, { format: 'mp4' })).toBe(7);
    expect(priceDownload(prices, { format: 'mp3' })).toBe(11);
  });
});

import type { PriceTable } from '../../config.js';
import { AUDIO_FORMATS, type DownloadFormat } from './download-formats.js';


export interface DownloadPricingInput {
  format?: DownloadFormat;
  audio_only?: boolean;
  quality?: string;
  trim?: { start: number; end: number };
}

/**
 * Whether a download must be re-encoded, decided from the request alone so the price is known
 * before any work: a frame-accurate trim, a lossy or PCM audio target, or an audio bitrate.
 * Changing container (mkv → mp4) is a copy and costs the base price.
 */
export function downloadNeedsReencode(input: DownloadPricingInput): boolean {
  if (input.trim) return true;
  if (input.quality && /^\d+k$/.test(input.quality)) return true;
  const format = input.format ?? (input.audio_only ? 'm4a' : 'mp4');
  return AUDIO_FORMATS.has(format) && format !== 'm4a';
}

export function priceDownload(prices: PriceTable, input: DownloadPricingInput): number {
  return downloadNeedsReencode(input) ? prices.download_reencode : prices.download;
}

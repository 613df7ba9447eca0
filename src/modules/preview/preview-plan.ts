import type { PreviewRequest, PreviewType } from './preview.job.js';

/** A field's problem, named as the request names it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The fields each type takes besides the source, `type`, `format`, `filename`, `webhook_url` and `metadata`. */
export const PREVIEW_FIELDS: Record<PreviewType, ReadonlyArray<keyof PreviewRequest>> = {
  thumbnail: ['timestamp', 'width'],
  gif: ['start', 'duration', 'fps', 'width'],
  mosaic: ['columns', 'rows', 'width'],
  clip: ['start', 'duration', 'precision'],
  storyboard: ['interval', 'tile_width'],
  waveform: ['width', 'height', 'color', 'background'],
};

/** Output formats per type; the first is the default. */
export const PREVIEW_FORMATS: Record<PreviewType, readonly string[]> = {
  thumbnail: ['jpg', 'png', 'webp'],
  gif: ['gif', 'webp', 'mp4'],
  mosaic: ['jpg', 'png', 'webp'],
  clip: ['mp4', 'webm'],
  storyboard: ['jpg', 'webp'],
  waveform: ['png', 'svg'],
};

/** Limits, and the defaults that do not depend on the media. */
export const PREVIEW_LIMITS = {
  thumbnailMaxWidth: 3840,
  gif: { defaultDuration: 5, maxDuration: 15, defaultFps: 10, maxFps: 30, defaultWidth: 480, maxWidth: 1280 },
  mosaic: { defaultGrid: 4, maxGrid: 10, defaultWidth: 1280, maxWidth: 3840, minTileWidth: 16 },
  clip: { defaultDuration: 10, maxDuration: 60 },
  storyboard: { maxFrames: 1000, defaultFrames: 100, perSheet: 10, defaultTileWidth: 160, minTileWidth: 40, maxTileWidth: 640, minInterval: 0.5 },
  waveform: { defaultWidth: 1800, maxWidth: 4000, defaultHeight: 280, maxHeight: 1000, defaultColor: '#3b82f6', defaultBackground: '#ffffff' },
  minWidth: 16,
} as const;

export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

/**
 * Everything about a preview request that does not need the media: which fields its type
 * takes, the format, and each number's range. Returns the problems, none when it is fine.
 */
export function checkPreviewRequest(req: PreviewRequest): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const allowed = new Set<string>(PREVIEW_FIELDS[req.type]);
  for (const field of ['timestamp', 'start', 'duration', 'fps', 'width', 'height', 'columns', 'rows', 'precision', 'interval', 'tile_width', 'color', 'background'] as const) {
    if (req[field] !== undefined && !allowed.has(field)) problems.push({ field, message: `${field} does not apply to a ${req.type} preview` });
  }
  if (req.format !== undefined && !PREVIEW_FORMATS[req.type].includes(req.format)) {
    problems.push({ field: 'format', message: `format of a ${req.type} must be one of ${PREVIEW_FORMATS[req.type].join(', ')}` });
  }
  const range = (field: keyof PreviewRequest, min: number, max: number) => {
    const v = req[field];
    if (typeof v === 'number' && (v < min || v > max)) problems.push({ field, message: `${field} must be between ${min} and ${max}` });
  };
  const L = PREVIEW_LIMITS;
  switch (req.type) {
    case 'thumbnail':
      range('width', L.minWidth, L.thumbnailMaxWidth);
      break;
    case 'gif':
      range('duration', 0.1, L.gif.maxDuration);
      range('fps', 1, L.gif.maxFps);
      range('width', L.minWidth, L.gif.maxWidth);
      break;
    case 'mosaic': {
      range('columns', 1, L.mosaic.maxGrid);
      range('rows', 1, L.mosaic.maxGrid);
      range('width', L.minWidth, L.mosaic.maxWidth);
      const columns = req.columns ?? L.mosaic.defaultGrid;
      if ((req.width ?? L.mosaic.defaultWidth) < columns * L.mosaic.minTileWidth) {
        problems.push({ field: 'width', message: `width must leave each of the ${columns} columns at least ${L.mosaic.minTileWidth} px` });
      }
      break;
    }
    case 'clip':
      range('duration', 0.1, L.clip.maxDuration);
      break;
    case 'storyboard':
      range('interval', L.storyboard.minInterval, 3600);
      range('tile_width', L.storyboard.minTileWidth, L.storyboard.maxTileWidth);
      break;
    case 'waveform':
      range('width', L.minWidth, L.waveform.maxWidth);
      range('height', L.minWidth, L.waveform.maxHeight);
      break;
  }
  return problems;
}

/** What can only be checked against the media's duration (when it is known): times inside it, frame counts. */
export function checkAgainstDuration(req: PreviewRequest, duration: number | null): FieldProblem[] {
  if (duration === null) return [];
  const problems: FieldProblem[] = [];
  for (const field of ['timestamp', 'start'] as const) {
    const v = req[field];
    if (v !== undefined && v >= duration) problems.push({ field, message: `${field} must be before the end of the media (${duration.toFixed(3)} s)` });
  }
  if (req.type === 'storyboard' && req.interval !== undefined && Math.ceil(duration / req.interval) > PREVIEW_LIMITS.storyboard.maxFrames) {
    problems.push({ field: 'interval', message: `interval gives more than ${PREVIEW_LIMITS.storyboard.maxFrames} frames over ${Math.round(duration)} s` });
  }
  return problems;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** A size's even value (what yuv420p encoders need), never below 2. */
export const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** The height that keeps the aspect ratio at `width` (square when the source size is unknown). */
export function scaledHeight(width: number, source: { width: number | null; height: number | null }): number {
  return source.width && source.height ? even((width * source.height) / source.width) : even(width);
}

/** The default time of one frame: a quarter in (1 s into a media of unknown length). */
export function quarterOf(duration: number | null): number {
  return duration ? round3(duration * 0.25) : 1;
}

/** `count` times spread evenly over the media: the middle of each of `count` equal slices. */
export function spreadTimes(duration: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => round3((duration * (i + 0.5)) / count));
}

/** A window [start, start + duration) kept inside the media. */
export function windowIn(start: number, length: number, duration: number | null): { start: number; duration: number } {
  const end = duration === null ? start + length : Math.min(duration, start + length);
  return { start: round3(start), duration: round3(Math.max(0, end - start)) };
}

export interface StoryboardPlan {
  interval: number;
  times: number[];
  columns: number;
  rows: number;
  sheets: number;
}

/**
 * Frames every `interval` seconds (by default as many as give ≤ 100 frames), tiled into
 * sheets of at most 10 × 10: one sheet as small as fits when there are few frames.
 */
export function planStoryboard(duration: number, interval: number | undefined): StoryboardPlan {
  const L = PREVIEW_LIMITS.storyboard;
  const step = interval ?? Math.max(1, Math.ceil(duration / L.defaultFrames));
  const count = Math.max(1, Math.min(L.maxFrames, Math.ceil(duration / step - 1e-9)));
  const times = Array.from({ length: count }, (_, i) => round3(i * step));
  const columns = Math.min(L.perSheet, count);
  const rows = Math.min(L.perSheet, Math.ceil(count / columns));
  return { interval: step, times, columns, rows, sheets: Math.ceil(count / (columns * rows)) };
}

/** `HH:MM:SS.mmm`, as WebVTT writes times. */
export function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/**
 * The storyboard's WebVTT: one cue per frame, pointing at its tile in its sheet with a media
 * fragment (`sheet.jpg#xywh=x,y,w,h`), the form video.js, Plyr, Vidstack and hls.js read.
 */
export function storyboardVtt(plan: StoryboardPlan, duration: number, tile: { width: number; height: number }, sheetUrl: (sheet: number) => string): string {
  const perSheet = plan.columns * plan.rows;
  const cues = plan.times.map((start, i) => {
    const end = Math.min(duration, i + 1 < plan.times.length ? plan.times[i + 1]! : start + plan.interval);
    const sheet = Math.floor(i / perSheet);
    const n = i % perSheet;
    const x = (n % plan.columns) * tile.width;
    const y = Math.floor(n / plan.columns) * tile.height;
    return `${vttTime(start)} --> ${vttTime(Math.max(end, start + 0.001))}\n${sheetUrl(sheet)}#xywh=${x},${y},${tile.width},${tile.height}`;
  });
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

/**
 * Peaks of 16-bit mono samples, streamed in: `buckets` slices of the audio, each the loudest
 * absolute sample in it, scaled to 0–1. Fed chunk by chunk, so any length of audio fits.
 */
export class PeakMeter {
  private readonly peaks: number[];
  private sample = 0;
  private carry: number | null = null;

  constructor(
    private readonly buckets: number,
    private readonly totalSamples: number,
  ) {
    this.peaks = new Array<number>(buckets).fill(0);
  }

  push(chunk: Buffer): void {
    let offset = 0;
    if (this.carry !== null && chunk.length > 0) {
      this.take(Buffer.from([this.carry, chunk[0]!]).readInt16LE(0));
      this.carry = null;
      offset = 1;
    }
    for (; offset + 1 < chunk.length; offset += 2) this.take(chunk.readInt16LE(offset));
    if (offset < chunk.length) this.carry = chunk[offset]!;
  }

  result(): number[] {
    return this.peaks.map((p) => Math.round((p / 32768) * 1000) / 1000);
  }

  private take(value: number): void {
    const bucket = Math.min(this.buckets - 1, Math.floor((this.sample++ * this.buckets) / Math.max(1, this.totalSamples)));
    const magnitude = Math.abs(value);
    if (magnitude > this.peaks[bucket]!) this.peaks[bucket] = magnitude;
  }
}

/** The waveform as SVG: one bar per peak, mirrored around the middle. */
export function waveformSvg(peaks: number[], width: number, height: number, color: string, background: string): string {
  const mid = height / 2;
  const step = width / Math.max(1, peaks.length);
  const path = peaks
    .map((p, i) => {
      const h = Math.max(0.5, p * mid);
      return `M${(i * step + step / 2).toFixed(2)} ${(mid - h).toFixed(2)}V${(mid + h).toFixed(2)}`;
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="${background}"/>` +
    `<path d="${path}" stroke="${color}" stroke-width="${Math.max(1, step * 0.8).toFixed(2)}"/></svg>\n`
  );
}

/** What a preview makes: one frame, an animation, a contact sheet, a clip, a player storyboard, a waveform. */
export const PREVIEW_TYPES = ['thumbnail', 'gif', 'mosaic', 'clip', 'storyboard', 'waveform'] as const;
export type PreviewType = (typeof PREVIEW_TYPES)[number];

/** What POST /v1/preview accepts; which fields apply depends on `type` (see `PREVIEW_FIELDS`). */
export interface PreviewRequest {
  url?: string;
  upload_id?: string;
  type: PreviewType;
  /** thumbnail: the frame's time in seconds. */
  timestamp?: number;
  /** gif, clip: where the window starts, in seconds. */
  start?: number;
  /** gif, clip: the window's length in seconds. */
  duration?: number;
  fps?: number;
  width?: number;
  height?: number;
  format?: string;
  columns?: number;
  rows?: number;
  precision?: 'exact' | 'fast';
  interval?: number;
  tile_width?: number;
  color?: string;
  background?: string;
  filename?: string;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

/** What a preview job stores at submit: the request as validated. */
export type PreviewJobInput = PreviewRequest;

/** The source as the preview found it. */
export interface PreviewSourceInfo {
  duration: number | null;
  width: number | null;
  height: number | null;
  /**
   * Bytes of the source read over the network to make this preview: a little of a file read
   * in place, all of one that had to be fetched first (a stream of segments), none of an upload.
   */
  bytes_read: number;
}

/** What a completed preview reports besides its files; the fields of its type only. */
export interface PreviewJobResult {
  type: PreviewType;
  format: string;
  source: PreviewSourceInfo;
  width?: number;
  height?: number;
  /** thumbnail */
  timestamp?: number;
  /** gif, clip: the window actually made. `requested_start` differs from `start` for a `fast` clip (keyframe). */
  start?: number;
  requested_start?: number;
  duration?: number;
  fps?: number;
  frames?: number;
  precision?: 'exact' | 'fast';
  /** mosaic: the times of its frames, row by row. */
  timestamps?: number[];
  columns?: number;
  rows?: number;
  /** mosaic, storyboard: one tile's size. */
  tile_width?: number;
  tile_height?: number;
  /** storyboard */
  interval?: number;
  sheets?: number;
  /** waveform: `width` values in 0–1, the loudest sample of each slice of the audio. */
  peaks?: number[];
  metadata: Record<string, unknown> | null;
}

declare module '../../core/jobs/job-types.js' {
  interface JobTypes {
    preview: { input: PreviewJobInput; result: PreviewJobResult };
  }
}

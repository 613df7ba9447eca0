import type { DownloadFormat } from './download-formats.js';

/** What a download job stores at submit: the request as validated. */
export interface DownloadJobInput {
  url?: string;
  upload_id?: string;
  format?: DownloadFormat;
  quality?: string;
  format_id?: string;
  audio_only?: boolean;
  trim?: { start: number; end: number };
  include_thumbnail?: boolean;
  subtitles?: string[];
  filename?: string;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

/** What a completed download reports besides its files. */
export interface DownloadJobResult {
  title: string | null;
  source: { id: string | null; platform: string; webpage_url: string | null };
  format: DownloadFormat;
  duration: number | null;
  width: number | null;
  height: number | null;
  vcodec: string | null;
  acodec: string | null;
  size: number;
  metadata: Record<string, unknown> | null;
}

declare module '../../core/jobs/job-types.js' {
  interface JobTypes {
    download: { input: DownloadJobInput; result: DownloadJobResult };
  }
}

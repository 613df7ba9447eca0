import type { ErrorCode } from '../../errors.js';

/**
 * yt-dlp's exit code does not say what went wrong (and is 0 for some failures), so the
 * outcome is read from stderr. Order matters: the first matching rule wins.
 */
const RULES: Array<[RegExp, ErrorCode, string]> = [
  // Our disk, not the site: the operator's to fix, and the job is refunded.
  [/No space left on device|Read-only file system|Disk quota exceeded/i, 'storage_unavailable', 'The storage is full or unwritable'],
  [/Unsupported URL/i, 'unsupported_url', 'No extractor supports this URL'],
  [/larger than max-filesize|File is larger than/i, 'file_too_large', 'The media is larger than the maximum file size'],
  [/does not pass filter.*duration/i, 'media_too_long', 'The media is longer than the maximum duration'],
  [/Requested format is not available/i, 'media_unavailable', 'The requested format is not available for this media'],
  [/HTTP Error (404|410)|Video unavailable|Private video|not available|has been removed|no longer available|This video is unavailable|Unable to extract/i,
    'media_unavailable', 'The media is unavailable'],
  [/HTTP Error 403|Sign in to confirm|login required|members-only/i, 'media_unavailable', 'The site refused access to this media'],
];

export interface ClassifiedError {
  code: ErrorCode;
  message: string;
}

export function classifyYtdlpError(stderr: string): ClassifiedError {
  for (const [pattern, code, message] of RULES) if (pattern.test(stderr)) return { code, message };
  return { code: 'upstream_failed', message: 'Fetching the media failed' };
}

/** The last `ERROR:` line of yt-dlp's stderr, for logs (never shown to clients verbatim). */
export function lastErrorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('ERROR:'));
  return (lines.at(-1) ?? stderr.trim().split('\n').at(-1) ?? '').slice(0, 500);
}

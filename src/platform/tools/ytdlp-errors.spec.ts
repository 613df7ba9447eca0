import { describe, expect, it } from '@jest/globals';
import type { ErrorCode } from '../../errors.js';
import { classifyYtdlpError, lastErrorLine } from './ytdlp-errors.js';

describe('classifyYtdlpError', () => {
  it.each<[string, ErrorCode]>([
    ['ERROR: Unsupported URL: https://example.com/nothing-here', 'unsupported_url'],
    ['ERROR: [generic] Unsupported URL: https://example.com/', 'unsupported_url'],
    ['ERROR: unable to download video data: HTTP Error 404: Not Found', 'media_unavailable'],
    ['ERROR: HTTP Error 410: Gone', 'media_unavailable'],
    ['ERROR: [youtube] abc: Video unavailable', 'media_unavailable'],
    ['ERROR: [youtube] abc: Private video. Sign in if you\'ve been granted access to this video', 'media_unavailable'],
    ['ERROR: [youtube] abc: Requested format is not available. Use --list-formats for a list of available formats', 'media_unavailable'],
    ['ERROR: unable to download video data: HTTP Error 403: Forbidden', 'media_unavailable'],
    ['[download] File is larger than max-filesize (5242880 bytes > 1048576 bytes). Aborting.', 'file_too_large'],
    ['[youtube] abc: My long video does not pass filter (duration<?600), skipping ..', 'media_too_long'],
    ['ERROR: [generic] Unable to download webpage: <urlopen error [Errno 111] Connection refused>', 'upstream_failed'],
    ['ERROR: HTTP Error 500: Internal Server Error', 'upstream_failed'],
    ['something nobody has seen before', 'upstream_failed'],
    ['', 'upstream_failed'],
  ])('%j → %s', (stderr, code) => {
    const result = classifyYtdlpError(stderr);
    expect(result.code).toBe(code);
    expect(result.message.length).toBeGreaterThan(0);
  });

  it('finds the rule anywhere in multi-line stderr', () => {
    const stderr = 'WARNING: [youtube] falling back\n[info] abc: Downloading 1 format(s)\nERROR: [youtube] abc: Video unavailable\n';
    expect(classifyYtdlpError(stderr)).toEqual({ code: 'media_unavailable', message: 'The media is unavailable' });
  });
});

describe('lastErrorLine', () => {
  it.each([
    ['WARNING: a\nERROR: first\nERROR: second\n', 'ERROR: second'],
    ['just some output\nlast words\n', 'last words'],
    ['', ''],
  ])('%j → %j', (stderr, expected) => {
    expect(lastErrorLine(stderr)).toBe(expected);
  });

  it('caps the line at 500 characters', () => {
    expect(lastErrorLine(`ERROR: ${'x'.repeat(1000)}`)).toHaveLength(500);
  });
});

describe('classifyYtdlpError and our own disk', () => {
  it('says storage_unavailable when yt-dlp could not write, whatever the site did', () => {
    expect(classifyYtdlpError('ERROR: unable to write data: [Errno 28] No space left on device').code).toBe('storage_unavailable');
    expect(classifyYtdlpError('ERROR: [Errno 30] Read-only file system: /data/work/x').code).toBe('storage_unavailable');
  });
});

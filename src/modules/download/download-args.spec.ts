import { describe, expect, it } from '@jest/globals';
import { DownloadProgress, downloadArgs, formatSelector, formatSort, parseYtdlpLine, partsFromInfo, type FormatRequest, type YtdlpProgress } from './download-args.js';

/** The value following `flag` in an argv list (undefined when the flag is absent). */
function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

describe('formatSelector', () => {
  it.each<[string, FormatRequest, string]>([
    ['default is best video+audio', {}, 'bv*+ba/b'],
    ['explicit best', { quality: 'best' }, 'bv*+ba/b'],
    ['worst video', { quality: 'worst' }, 'wv*+wa/w'],
    ['720p caps height with <=? and falls back', { quality: '720p' }, 'bv*[height<=?720]+ba/b[height<=?720]/wv*+ba/w'],
    ['1080p', { format: 'mp4', quality: '1080p' }, 'bv*[height<=?1080]+ba/b[height<=?1080]/wv*+ba/w'],
    ['audio_only best', { audio_only: true }, 'ba/b'],
    ['mp3 implies audio', { format: 'mp3' }, 'ba/b'],
    ['m4a worst', { format: 'm4a', quality: 'worst' }, 'wa/w'],
    ['128k caps audio bitrate', { format: 'mp3', quality: '128k' }, 'ba[abr<=?128]/ba/b'],
    ['a video height on an audio format is ignored', { format: 'flac', quality: '720p' }, 'ba/b'],
    ['format_id wins over everything', { format_id: '137+140', quality: '720p', audio_only: true }, '137+140'],
  ])('%s', (_name, req, expected) => {
    expect(formatSelector(req)).toBe(expected);
  });
});

describe('formatSort', () => {
  it.each<[FormatRequest, string | null]>([
    [{}, 'vcodec:h264,acodec:m4a'],
    [{ format: 'mp4' }, 'vcodec:h264,acodec:m4a'],
    [{ format: 'mov' }, 'vcodec:h264,acodec:m4a'],
    [{ audio_only: true }, 'vcodec:h264,acodec:m4a'],
    [{ format: 'webm' }, 'vcodec:vp9,acodec:opus'],
    [{ format: 'mkv' }, null],
    [{ format: 'mp3' }, null],
    [{ format: 'flac', audio_only: true }, null],
  ])('%j → %s', (req, expected) => {
    expect(formatSort(req)).toBe(expected);
  });
});

describe('downloadArgs', () => {
  const base = { request: {}, outputDir: '/work/job1', maxFileBytes: 1048576, maxDurationSeconds: 600 };

  it.each(['https://example.com/watch?v=1', '--exec=rm -rf /', '-oevil'])('puts the user URL %j last, after --', (url) => {
    const args = downloadArgs(url, base);
    expect(args.slice(-2)).toEqual(['--', url]);
    expect(args.indexOf(url)).toBe(args.length - 1);
  });

  it('passes limits, selector, output dir and match filter', () => {
    const args = downloadArgs('https://e.com/v', { ...base, request: { quality: '720p' } });
    expect(valueOf(args, '--max-filesize')).toBe('1048576');
    expect(valueOf(args, '--match-filter')).toContain('duration<?600');
    // Only the duration: yt-dlp quotes the whole filter when it skips, so is_live is checked apart.
    expect(valueOf(args, '--match-filter')).toBe('duration<?600');
    expect(valueOf(args, '-f')).toBe(formatSelector({ quality: '720p' }));
    expect(valueOf(args, '-P')).toBe('/work/job1');
    expect(valueOf(args, '-S')).toBe('vcodec:h264,acodec:m4a');
  });

  it('adds --proxy only when given', () => {
    expect(downloadArgs('https://e.com/v', base)).not.toContain('--proxy');
    const args = downloadArgs('https://e.com/v', { ...base, proxy: 'http://127.0.0.1:8899' });
    expect(valueOf(args, '--proxy')).toBe('http://127.0.0.1:8899');
    expect(args.indexOf('--proxy')).toBeLessThan(args.indexOf('--'));
  });

  it('omits -S when no sort applies, subtitles and thumbnail unless asked', () => {
    const args = downloadArgs('https://e.com/v', { ...base, request: { format: 'mkv' } });
    expect(args).not.toContain('-S');
    expect(args).not.toContain('--write-subs');
    expect(args).not.toContain('--write-thumbnail');
  });

  it('adds subtitles and thumbnail options before --', () => {
    const args = downloadArgs('https://e.com/v', { ...base, subtitles: ['en', 'de'], thumbnail: true });
    expect(valueOf(args, '--sub-langs')).toBe('en,de');
    expect(valueOf(args, '--convert-subs')).toBe('vtt');
    expect(args).toContain('--write-thumbnail');
    expect(args.indexOf('--write-thumbnail')).toBeLessThan(args.indexOf('--'));
  });
});

describe('parseYtdlpLine', () => {
  it.each([
    ['{"id":"abc","duration":12}', { kind: 'info', info: { id: 'abc', duration: 12 } }],
    ['P {"status":"downloading","downloaded_bytes":10}', { kind: 'progress', progress: { status: 'downloading', downloaded_bytes: 10 } }],
    ['F /work/job1/media.mkv', { kind: 'file', path: '/work/job1/media.mkv' }],
    ['{not json', { kind: 'other', text: '{not json' }],
    ['P {broken', { kind: 'other', text: 'P {broken' }],
    ['[youtube] abc: Downloading webpage', { kind: 'other', text: '[youtube] abc: Downloading webpage' }],
    ['', { kind: 'other', text: '' }],
  ])('%j', (line, expected) => {
    expect(parseYtdlpLine(line)).toEqual(expected);
  });
});

describe('DownloadProgress', () => {
  const step = (filename: string, downloaded: number, total = 1000): YtdlpProgress => ({
    status: downloaded >= total ? 'finished' : 'downloading',
    filename,
    downloaded_bytes: downloaded,
    total_bytes: total,
  });

  it('runs a single part 0 → 100', () => {
    const p = new DownloadProgress(1);
    expect([0, 250, 500, 1000].map((d) => p.update(step('media.mp4', d)))).toEqual([0, 25, 50, 100]);
  });

  it('gives a monotonic figure over a merged 2-part download, first part ending at 50', () => {
    const p = new DownloadProgress(2);
    const first = [0, 500, 1000].map((d) => p.update(step('media.f137.mp4', d)));
    const second = [0, 400, 1000].map((d) => p.update(step('media.f140.m4a', d)));
    const all = [...first, ...second];
    expect(first.at(-1)).toBeCloseTo(50);
    expect(second).toEqual([50, 70, 100]);
    for (let i = 1; i < all.length; i++) expect(all[i]).toBeGreaterThanOrEqual(all[i - 1]);
    expect(all.at(-1)).toBe(100);
  });

  it.each<[string, YtdlpProgress, number]>([
    ['estimate when total unknown', { status: 'downloading', downloaded_bytes: 30, total_bytes: null, total_bytes_estimate: 120 }, 25],
    ['fragments when no byte totals', { status: 'downloading', fragment_index: 3, fragment_count: 4 }, 75],
    ['finished without totals', { status: 'finished' }, 100],
    ['nothing known', { status: 'downloading' }, 0],
    ['overshoot clamps', { status: 'downloading', downloaded_bytes: 2000, total_bytes: 1000 }, 100],
  ])('single part: %s', (_name, update, expected) => {
    expect(new DownloadProgress(1).update(update)).toBe(expected);
  });

  it('ignores subtitle and thumbnail files, which yt-dlp fetches before the media', () => {
    const p = new DownloadProgress(2);
    expect(p.update(step('/work/j/subs.en.vtt', 1000))).toBe(0);
    expect(p.update(step('/work/j/thumb.jpg', 1000))).toBe(0);
    expect(p.update(step('/work/j/media.f137.mp4', 1000))).toBe(50);
    expect(p.update(step('/work/j/subs.es.vtt', 1000))).toBe(50);
    expect(p.update(step('/work/j/media.f140.m4a', 500))).toBe(75);
  });

  it('never goes backwards when an estimate grows', () => {
    const p = new DownloadProgress(1);
    expect(p.update({ status: 'downloading', downloaded_bytes: 60, total_bytes_estimate: 100 })).toBe(60);
    expect(p.update({ status: 'downloading', downloaded_bytes: 70, total_bytes_estimate: 200 })).toBe(60);
  });
});

describe('partsFromInfo', () => {
  it.each<[Record<string, unknown>, number]>([
    [{ requested_formats: [{ format_id: '137' }, { format_id: '140' }] }, 2],
    [{ requested_formats: [] }, 1],
    [{ requested_formats: null }, 1],
    [{ format_id: '18' }, 1],
  ])('%j → %i', (info, expected) => {
    expect(partsFromInfo(info)).toBe(expected);
  });
});

import { describe, expect, it } from '@jest/globals';

import { applyProbe, formatsToProbe, hlsDuration, normalizeInfo } from './info-normalize.js';
import { type ProbedMedia } from '../../platform/tools/ffprobe.js';

/** Trimmed `yt-dlp -J` output for a YouTube video. */
const YOUTUBE = {
  id: 'dQw4w9WgXcQ',
  title: 'Rick Astley - Never Gonna Give You Up (Official Music Video)',
  description: 'The official video for “Never Gonna Give You Up” by Rick Astley',
  channel: 'Rick Astley',
  channel_id: 'UCuAXFkgsw1L7xaCfnd5JJOw',
  uploader: 'Rick Astley',
  uploader_id: '@RickAstleyYT',
  duration: 212,
  upload_date: '20240501',
  view_count: 1_500_000_000,
  like_count: 18_000_000.0,
  comment_count: null,
  thumbnail: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg',
  thumbnails: [
    { url: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/default.jpg', width: 120, height: 90, preference: -12 },
    { url: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg', preference: -1 },
    { id: 'broken', preference: -100 },
  ],
  extractor: 'youtube',
  extractor_key: 'Youtube',
  webpage_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
  is_live: false,
  formats: [
    { format_id: 'sb0', format_note: 'storyboard', ext: 'mhtml', protocol: 'mhtml', vcodec: 'none', acodec: 'none', width: 48, height: 27, url: 'https://i.ytimg.com/sb/x', video_ext: 'none', audio_ext: 'none' },
    { format_id: '140', format_note: 'medium', ext: 'm4a', container: 'm4a_dash', protocol: 'https', vcodec: 'none', acodec: 'mp4a.40.2', tbr: 129.5, filesize: 3_433_000, url: 'https://rr.example/140', video_ext: 'none', audio_ext: 'm4a' },
    { format_id: '137', format_note: '1080p', ext: 'mp4', protocol: 'https', vcodec: 'avc1.640028', acodec: 'none', width: 1920, height: 1080, fps: 25, tbr: 4000, filesize: null, filesize_approx: 105_000_000, url: 'https://rr.example/137', video_ext: 'mp4', audio_ext: 'none' },
    { format_id: '18', format_note: '360p', ext: 'mp4', protocol: 'https', vcodec: 'avc1.42001E', acodec: 'mp4a.40.2', width: 640, height: 360, fps: 25, tbr: 500.4, url: 'https://rr.example/18' },
  ],
  subtitles: {
    en: [{ ext: 'json3', url: 'x', name: 'English' }, { ext: 'vtt', url: 'y', name: 'English' }, { ext: 'vtt', url: 'z', name: 'English' }],
  },
  automatic_captions: {
    de: [{ ext: 'vtt', url: 'x', name: 'German' }],
  },
  chapters: [
    { start_time: 0, end_time: 30.5, title: 'Intro' },
    { start_time: 30.5, end_time: 212, title: '' },
  ],
};

describe('normalizeInfo', () => {
  const info = normalizeInfo(YOUTUBE);

  it('maps the top-level fields', () => {
    expect(info).toMatchObject({
      id: 'dQw4w9WgXcQ',
      title: YOUTUBE.title,
      uploader: 'Rick Astley',
      uploader_id: '@RickAstleyYT',
      duration: 212,
      upload_date: '2024-05-01',
      view_count: 1_500_000_000,
      like_count: 18_000_000,
      comment_count: null,
      platform: 'youtube',
      webpage_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      is_live: false,
    });
  });

  it('keeps thumbnails with a URL only', () => {
    expect(info.thumbnails).toEqual([
      { url: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/default.jpg', width: 120, height: 90 },
      { url: 'https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg', width: null, height: null },
    ]);
  });

  it.each<[string, boolean, boolean, string | null, string | null]>([
    ['sb0', false, false, null, null],
    ['140', false, true, null, 'mp4a.40.2'],
    ['137', true, false, 'avc1.640028', null],
    ['18', true, true, 'avc1.42001E', 'mp4a.40.2'],
  ])('format %s: video %s, audio %s, codecs %s/%s', (id, hasVideo, hasAudio, vcodec, acodec) => {
    const f = info.formats.find((x) => x.format_id === id);
    expect(f).toMatchObject({ has_video: hasVideo, has_audio: hasAudio, vcodec, acodec });
  });

  it.each<[string, number | null, number | null, number | null, string | null]>([
    ['140', 3_433_000, 3_433_000, 130, 'm4a_dash'],
    ['137', null, 105_000_000, 4000, 'mp4'],
    ['18', null, Math.round((500.4 * 1000 * 212) / 8), 500, 'mp4'],
  ])('format %s: filesize %s, estimate %s, %s kbps, container %s', (id, size, estimate, kbps, container) => {
    const f = info.formats.find((x) => x.format_id === id);
    expect(f).toMatchObject({ filesize: size, filesize_estimate: estimate, bitrate_kbps: kbps, container });
  });

  it('lists manual and automatic subtitles with distinct formats', () => {
    expect(info.subtitles).toEqual([
      { language: 'en', name: 'English', kind: 'manual', formats: ['json3', 'vtt'] },
      { language: 'de', name: 'German', kind: 'auto', formats: ['vtt'] },
    ]);
  });

  it('maps chapters', () => {
    expect(info.chapters).toEqual([
      { start: 0, end: 30.5, title: 'Intro' },
      { start: 30.5, end: 212, title: null },
    ]);
  });

  it.each<[Record<string, unknown>, Partial<ReturnType<typeof normalizeInfo>>]>([
    [{ id: 1, upload_date: '2024-05-01' }, { id: '1', upload_date: null, platform: 'generic', formats: [], subtitles: [], chapters: [] }],
    [{ id: 'x', extractor: 'Vimeo:Album', channel: 'C', original_url: 'https://v.example' }, { platform: 'vimeo_album', uploader: 'C', webpage_url: 'https://v.example' }],
    [{ id: 'x', is_live: 'yes', duration: 'long' }, { is_live: false, duration: null }],
  ])('handles sparse input %j', (raw, expected) => {
    expect(normalizeInfo(raw)).toMatchObject(expected);
  });

  it('treats a direct file (url at top level) as its single format', () => {
    const direct = normalizeInfo({ id: 'clip', url: 'https://cdn.example/clip.mp4', ext: 'mp4', protocol: 'https', extractor_key: 'Generic' });
    expect(direct.formats).toHaveLength(1);
    expect(direct.formats[0]).toMatchObject({ format_id: '', ext: 'mp4', vcodec: null, height: null, has_video: true, has_audio: true, url: 'https://cdn.example/clip.mp4' });
  });
});

describe('applyProbe', () => {
  const probe: ProbedMedia = {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    duration: 10.0104,
    size: 1_250_000,
    bitRate: 1_000_000,
    video: { codec: 'h264', width: 1280, height: 720, fps: 29.97 },
    audio: { codec: 'aac', channels: 2, sampleRate: 44100, bitRate: 128_000 },
  };
  const direct = () => normalizeInfo({ id: 'clip', url: 'https://cdn.example/clip.mp4', ext: 'mp4', protocol: 'https' });

  it('fills duration, dimensions, codecs, bitrate and size from the probe', () => {
    const info = direct();
    applyProbe(info, info.formats[0], probe);
    expect(info.duration).toBe(10.01);
    expect(info.formats[0]).toMatchObject({
      vcodec: 'h264', acodec: 'aac', width: 1280, height: 720, fps: 29.97,
      bitrate_kbps: 1000, filesize: 1_250_000, filesize_estimate: 1_251_250, has_video: true, has_audio: true,
    });
  });

  it('does not overwrite what yt-dlp knew', () => {
    const info = normalizeInfo(YOUTUBE);
    const f = info.formats.find((x) => x.format_id === '137')!;
    applyProbe(info, f, { ...probe, video: { codec: 'vp9', width: 1, height: 1, fps: 1 } });
    expect(info.duration).toBe(212);
    expect(f).toMatchObject({ vcodec: 'avc1.640028', height: 1080, bitrate_kbps: 4000, filesize_estimate: 105_000_000 });
  });

  it('marks streams the probe did not find as absent, and leaves HLS filesize unknown', () => {
    const info = normalizeInfo({ id: 'radio', url: 'https://cdn.example/live.m3u8', protocol: 'm3u8_native' });
    applyProbe(info, info.formats[0], { ...probe, video: null, duration: null, bitRate: null });
    expect(info.formats[0]).toMatchObject({ has_video: false, has_audio: true, acodec: 'aac', filesize: null, filesize_estimate: null });
    expect(info.duration).toBeNull();
  });
});

describe('formatsToProbe and hostile format URLs', () => {
  it('never hands ffprobe a URL of another scheme', () => {
    const info = normalizeInfo({
      id: 'x',
      formats: ['tcp://10.0.0.1:6379/', 'file:///etc/passwd', 'rtsp://10.0.0.1/', 'concat:/etc/passwd|/etc/shadow', 'https://cdn.example/v.mp4'].map((url, i) => ({
        format_id: String(i),
        url,
        vcodec: null,
        acodec: null,
      })),
    });
    expect(formatsToProbe(info, 10).map((f) => f.url)).toEqual(['https://cdn.example/v.mp4']);
  });
});

describe('hlsDuration', () => {
  const media = '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\na.ts\n#EXTINF:2.5,\nb.ts\n#EXT-X-ENDLIST\n';
  it('sums the segments of a finished media playlist', () => {
    expect(hlsDuration(media)).toBe(6.5);
  });
  it('does not follow a master playlist, nor guess a live one', () => {
    expect(hlsDuration('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\ntcp://10.0.0.1:6379/x.m3u8\n')).toBeNull();
    expect(hlsDuration(media.replace('#EXT-X-ENDLIST\n', ''))).toBeNull();
    expect(hlsDuration('<html>not a playlist</html>')).toBeNull();
  });
});

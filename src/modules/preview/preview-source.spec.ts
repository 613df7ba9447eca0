import { describe, expect, it } from '@jest/globals';
import { isConfined, remoteInput } from '../../platform/tools/ffprobe.js';
import { tileFramesArgs } from './preview-args.js';
import { namesMediaFile } from './preview-source.service.js';

describe('namesMediaFile', () => {
  it('takes URLs whose path names a single media file, whatever the query', () => {
    expect(namesMediaFile('https://cdn.example.com/v/clip.mp4')).toBe(true);
    expect(namesMediaFile('http://127.0.0.1:8080/a/b/Talk.WEBM?sig=abc&exp=1')).toBe(true);
    expect(namesMediaFile('https://example.com/podcast/episode-12.mp3#t=30')).toBe(true);
  });

  it('leaves pages, playlists and other schemes to yt-dlp', () => {
    expect(namesMediaFile('https://www.youtube.com/watch?v=abc.mp4')).toBe(false);
    expect(namesMediaFile('https://example.com/live/master.m3u8')).toBe(false);
    expect(namesMediaFile('https://example.com/manifest.mpd')).toBe(false);
    expect(namesMediaFile('https://example.com/video.mp4/')).toBe(false);
    expect(namesMediaFile('ftp://example.com/video.mp4')).toBe(false);
    expect(namesMediaFile('file:///etc/video.mp4')).toBe(false);
    expect(namesMediaFile('not a url.mp4')).toBe(false);
  });
});

describe('tileFramesArgs (several seeks in one ffmpeg)', () => {
  it('gives every time its own confined, seeking input and every input one single-frame output, in order', () => {
    const input = remoteInput('https://cdn.example.com/v.mp4', 'http://127.0.0.1:9999');
    const args = tileFramesArgs(input, [1.5, 30, 59.25], { width: 160, height: 90 }, ['/w/a.rgb', '/w/b.rgb', '/w/c.rgb']);
    expect(isConfined(args)).toBe(true);
    expect(args.filter((a) => a === '-i')).toHaveLength(3);
    const seeks = args.flatMap((a, i) => (a === '-ss' ? [args[i + 1]] : []));
    expect(seeks).toEqual(['1.500', '30.000', '59.250']);
    const maps = args.flatMap((a, i) => (a === '-map' ? [args[i + 1]] : []));
    expect(maps).toEqual(['0:v:0', '1:v:0', '2:v:0']);
    expect(args.filter((a) => a.endsWith('.rgb'))).toEqual(['/w/a.rgb', '/w/b.rgb', '/w/c.rgb']);
    expect(args.at(-1)).toBe('/w/c.rgb');
    expect(() => tileFramesArgs(input, [1, 2], { width: 160, height: 90 }, ['/w/a.rgb'])).toThrow();
  });
});

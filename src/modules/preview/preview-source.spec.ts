import { describe, expect, it } from '@jest/globals';
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

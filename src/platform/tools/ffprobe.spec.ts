import { describe, expect, it } from '@jest/globals';
import { isConfined, localInput, probeArgs, remoteInput } from './ffprobe.js';

describe('confined ffmpeg inputs', () => {
  it('reads a local file as that one file, as media only', () => {
    const args = localInput('/work/x/media.mp4');
    expect(args).toEqual(['-protocol_whitelist', 'file', '-format_whitelist', expect.any(String), '-i', '/work/x/media.mp4']);
    expect(args[3]!.split(',')).toEqual(expect.arrayContaining(['mov', 'matroska', 'mp3', 'ogg', 'wav']));
    expect(args[3]!.split(',')).not.toEqual(expect.arrayContaining(['hls']));
    for (const playlist of ['hls', 'concat', 'ffconcat', 'dash', 'image2']) expect(args[3]!.split(',')).not.toContain(playlist);
  });

  it('reads a URL over HTTP(S) only, through the proxy', () => {
    const args = remoteInput('https://cdn.example/v.m3u8', 'http://t:x@127.0.0.1:9');
    expect(args.slice(0, 2)).toEqual(['-protocol_whitelist', 'http,https,tls,tcp,crypto,httpproxy']);
    // A URL is read as a media file, never as a playlist.
    expect(args[3]!.split(',')).not.toContain('hls');
    expect(args.slice(-4)).toEqual(['-http_proxy', 'http://t:x@127.0.0.1:9', '-i', 'https://cdn.example/v.m3u8']);
  });

  it('probes paths as local files and http(s) URLs as remote ones', () => {
    expect(probeArgs('/tmp/upload')).toEqual(expect.arrayContaining(['-protocol_whitelist', 'file']));
    expect(probeArgs('HTTPS://cdn.example/v.mp4')).toEqual(expect.arrayContaining(['-protocol_whitelist', 'http,https,tls,tcp,crypto,httpproxy']));
    // A scheme ffmpeg would follow is still read as a (nonexistent) local file name, never as a protocol.
    expect(probeArgs('concat:/etc/passwd|/etc/shadow')).toEqual(expect.arrayContaining(['-protocol_whitelist', 'file', '-format_whitelist']));
  });

  it('tells a confined command line from one that is not', () => {
    expect(isConfined(['-y', ...localInput('a'), ...localInput('b'), 'out.mp4'])).toBe(true);
    expect(isConfined(['-y', ...localInput('a'), '-i', 'b', 'out.mp4'])).toBe(false);
    expect(isConfined(['-i', 'a'])).toBe(false);
  });
});

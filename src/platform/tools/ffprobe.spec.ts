import { describe, expect, it } from '@jest/globals';
import { isConfined, localInput, loggedInput, probeArgs, remoteInput } from './ffprobe.js';

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

describe('loggedInput', () => {
  const log = (streams: string[], duration = '00:10:00.04') =>
    [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'http://127.0.0.1:8080/v.mp4':",
      '  Metadata:',
      '    major_brand     : isom',
      `  Duration: ${duration}, start: 0.000000, bitrate: 2633 kb/s`,
      ...streams,
      'Stream mapping:',
      '  Stream #0:0 -> #0:0 (h264 (native) -> mjpeg (native))',
      "Output #0, image2, to 'thumbnail.jpg':",
      '  Stream #0:0(und): Video: mjpeg, 1 reference frame, yuvj420p(pc, progressive, left), 640x360 (0x0) [SAR 1:1 DAR 16:9], q=2-31',
    ].join('\n');
  const VIDEO = '  Stream #0:0[0x1](und): Video: h264 (High), 1 reference frame (avc1 / 0x31637661), yuv420p(tv, bt709, progressive, left), 1280x720 (1280x736) [SAR 1:1 DAR 16:9], 2500 kb/s, 25 fps (default)';
  const AUDIO = '  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, mono, fltp, 69 kb/s (default)';

  it('reads the length, the first video stream’s codec and size (not the output’s), and the audio', () => {
    expect(loggedInput(log([VIDEO, AUDIO]))).toEqual({ duration: 600.04, video: { codec: 'h264', width: 1280, height: 720 }, audio: { codec: 'aac' } });
  });

  it('a cover picture is not video; an unknown length is null', () => {
    const cover = '  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 600x600 [SAR 1:1 DAR 1:1], 90k tbr, 90k tbn (attached pic)';
    expect(loggedInput(log([AUDIO.replace('#0:1', '#0:0'), cover], 'N/A'))).toEqual({ duration: null, video: null, audio: { codec: 'aac' } });
  });

  it('is null when ffmpeg could not open its input', () => {
    expect(loggedInput("http://127.0.0.1:8080/page.mp4: Invalid data found when processing input\n")).toBeNull();
  });
});

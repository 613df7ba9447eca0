import { describe, expect, it } from '@jest/globals';
import { convertArgs, isDeliverableAsIs, type ConvertRequest } from './convert-args.js';
import { parseFfmpegProgress, parseProbe, type ProbedMedia } from '../../platform/tools/ffprobe.js';

const media = (over: Partial<ProbedMedia> = {}): ProbedMedia => ({
  formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
  duration: 60,
  size: 1_000_000,
  bitRate: 133_000,
  video: { codec: 'h264', width: 1280, height: 720, fps: 30 },
  audio: { codec: 'aac', channels: 2, sampleRate: 44100, bitRate: 128_000 },
  ...over,
});
const mkvVp9Opus = media({
  formatName: 'matroska,webm',
  video: { codec: 'vp9', width: 1920, height: 1080, fps: 25 },
  audio: { codec: 'opus', channels: 2, sampleRate: 48000, bitRate: null },
});
const audioOnly = (codec: string, formatName: string) => media({ formatName, video: null, audio: { codec, channels: 2, sampleRate: 44100, bitRate: null } });

/** The value following `flag` (first occurrence). */
const valueOf = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

describe('convertArgs', () => {
  it('copies both streams when the codecs fit mp4, with faststart', () => {
    const args = convertArgs('/w/in.mkv', '/w/out.mp4', media({ formatName: 'matroska,webm' }), { format: 'mp4' });
    expect(valueOf(args, '-c:v')).toBe('copy');
    expect(valueOf(args, '-c:a')).toBe('copy');
    expect(valueOf(args, '-movflags')).toBe('+faststart');
    expect(args).not.toContain('-ss');
    expect(args.slice(-3)).toEqual(['-f', 'mp4', '/w/out.mp4']);
    expect(valueOf(args, '-i')).toBe('/w/in.mkv');
  });

  it('re-encodes with libx264 and seeks before -i on a trim', () => {
    const args = convertArgs('/w/in.mp4', '/w/out.mp4', media(), { format: 'mp4', trim: { start: 5, end: 12.5 } });
    expect(valueOf(args, '-ss')).toBe('5.000');
    expect(valueOf(args, '-to')).toBe('12.500');
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    expect(args.indexOf('-to')).toBeLessThan(args.indexOf('-i'));
    expect(valueOf(args, '-c:v')).toBe('libx264');
    expect(valueOf(args, '-c:a')).toBe('aac');
    expect(args).not.toContain('copy');
  });

  it('re-encodes a codec the container does not take (vp9/opus → mov)', () => {
    const args = convertArgs('/w/in.mkv', '/w/out.mov', mkvVp9Opus, { format: 'mov' });
    expect(valueOf(args, '-c:v')).toBe('libx264');
    expect(valueOf(args, '-c:a')).toBe('aac');
    expect(valueOf(args, '-b:a')).toBe('192k');
    expect(valueOf(args, '-movflags')).toBe('+faststart');
  });

  it('mp3 uses libmp3lame, drops video and honours a bitrate', () => {
    const args = convertArgs('/w/in.mkv', '/w/out.mp3', media(), { format: 'mp3', audioBitrateK: 128 });
    expect(valueOf(args, '-c:a')).toBe('libmp3lame');
    expect(valueOf(args, '-b:a')).toBe('128k');
    expect(args).toContain('-vn');
    expect(args).not.toContain('0:v:0');
    expect(args).not.toContain('-c:v');
    expect(args).not.toContain('-movflags');
    expect(args.slice(-3)).toEqual(['-f', 'mp3', '/w/out.mp3']);
  });

  it.each<[ConvertRequest['format'], string]>([
    ['webm', 'webm'],
    ['mkv', 'matroska'],
    ['m4a', 'ipod'],
    ['flac', 'flac'],
  ])('muxes %s as %s', (format, muxer) => {
    expect(valueOf(convertArgs('i', 'o', mkvVp9Opus, { format }), '-f')).toBe(muxer);
  });

  it('copies vp9/opus into webm and encodes flac losslessly without a bitrate', () => {
    const webm = convertArgs('i', 'o', mkvVp9Opus, { format: 'webm' });
    expect([valueOf(webm, '-c:v'), valueOf(webm, '-c:a')]).toEqual(['copy', 'copy']);
    const flac = convertArgs('i', 'o', mkvVp9Opus, { format: 'flac' });
    expect(valueOf(flac, '-c:a')).toBe('flac');
    expect(flac).not.toContain('-b:a');
  });
});

describe('isDeliverableAsIs', () => {
  it.each<[string, ProbedMedia, ConvertRequest, boolean]>([
    ['mp4 h264/aac as mp4', media(), { format: 'mp4' }, true],
    ['mp4 but trimmed', media(), { format: 'mp4', trim: { start: 0, end: 5 } }, false],
    ['aac m4a but a bitrate asked', audioOnly('aac', 'mov,mp4,m4a,3gp,3g2,mj2'), { format: 'm4a', audioBitrateK: 128 }, false],
    ['mkv vp9/opus as mkv', mkvVp9Opus, { format: 'mkv' }, true],
    ['mkv as mp4 (container change)', mkvVp9Opus, { format: 'mp4' }, false],
    ['mp4 with video as m4a', media(), { format: 'm4a' }, false],
    ['audio-only aac mp4 as m4a', audioOnly('aac', 'mov,mp4,m4a,3gp,3g2,mj2'), { format: 'm4a' }, true],
    ['mp3 as mp3', audioOnly('mp3', 'mp3'), { format: 'mp3' }, true],
    ['opus-in-m4a as m4a', audioOnly('opus', 'mov,mp4,m4a,3gp,3g2,mj2'), { format: 'm4a' }, false],
    ['mp4 with hevc as mov', media({ video: { codec: 'hevc', width: 1, height: 1, fps: null } }), { format: 'mov' }, true],
    ['mp4 with vp9 as mov', media({ video: { codec: 'vp9', width: 1, height: 1, fps: null } }), { format: 'mov' }, false],
  ])('%s → %s', (_name, m, req, expected) => {
    expect(isDeliverableAsIs(m, req)).toBe(expected);
  });
});

/** Trimmed `ffprobe -print_format json -show_format -show_streams` of an mp3 with cover art. */
const MP3_WITH_COVER = JSON.stringify({
  streams: [
    { index: 0, codec_name: 'mp3', codec_type: 'audio', sample_fmt: 'fltp', sample_rate: '44100', channels: 2, channel_layout: 'stereo', bit_rate: '192000', disposition: { default: 0, attached_pic: 0 } },
    { index: 1, codec_name: 'mjpeg', codec_type: 'video', width: 600, height: 600, avg_frame_rate: '0/0', disposition: { default: 0, attached_pic: 1 } },
  ],
  format: { filename: 'song.mp3', nb_streams: 2, format_name: 'mp3', duration: '215.353469', size: '5178102', bit_rate: '192358', probe_score: 51 },
});
const MP4_H264_AAC = JSON.stringify({
  streams: [
    { index: 0, codec_name: 'h264', profile: 'High', codec_type: 'video', width: 1920, height: 1080, r_frame_rate: '30000/1001', avg_frame_rate: '30000/1001', bit_rate: '4000000', disposition: { default: 1, attached_pic: 0 } },
    { index: 1, codec_name: 'aac', codec_type: 'audio', sample_rate: '48000', channels: 2, bit_rate: '128000', disposition: { default: 1, attached_pic: 0 } },
  ],
  format: { filename: 'in.mp4', format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '10.010000', size: '5200000', bit_rate: '4155844' },
});

describe('parseProbe', () => {
  it('reads an mp4 with h264/aac', () => {
    expect(parseProbe(MP4_H264_AAC)).toEqual({
      formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
      duration: 10.01,
      size: 5_200_000,
      bitRate: 4_155_844,
      video: { codec: 'h264', width: 1920, height: 1080, fps: 29.97 },
      audio: { codec: 'aac', channels: 2, sampleRate: 48000, bitRate: 128_000 },
    });
  });

  it('ignores an attached_pic video stream (cover art)', () => {
    const probe = parseProbe(MP3_WITH_COVER);
    expect(probe?.video).toBeNull();
    expect(probe?.audio).toEqual({ codec: 'mp3', channels: 2, sampleRate: 44100, bitRate: 192_000 });
    expect(probe?.duration).toBeCloseTo(215.353469);
  });

  it.each(['not json', '{}', '{"streams":[]}', '{"format":{}}'])('%j → null', (text) => {
    expect(parseProbe(text)).toBeNull();
  });

  it('gives null for missing numbers and streams', () => {
    expect(parseProbe('{"format":{"format_name":"hls","duration":"N/A"}}')).toEqual({
      formatName: 'hls', duration: null, size: null, bitRate: null, video: null, audio: null,
    });
  });
});

describe('parseFfmpegProgress', () => {
  it.each<[string, number | null]>([
    ['out_time_us=1500000', 1.5],
    ['out_time_ms=2500000', 2.5],
    ['  out_time_us=0\n', 0],
    ['out_time=00:00:01.500000', null],
    ['out_time_us=N/A', null],
    ['progress=continue', null],
    ['', null],
  ])('%j → %s', (line, expected) => {
    expect(parseFfmpegProgress(line)).toBe(expected);
  });
});

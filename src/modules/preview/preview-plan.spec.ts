import { describe, expect, it } from '@jest/globals';
import { checkAgainstDuration, checkPreviewRequest, PeakMeter, planStoryboard, scaledHeight, spreadTimes, storyboardVtt, vttTime, waveformSvg, windowIn } from './preview-plan.js';

describe('preview planning', () => {
  it('refuses fields of other types, formats of other types and values out of range, naming each', () => {
    expect(checkPreviewRequest({ type: 'thumbnail', timestamp: 3, width: 640, format: 'webp' })).toEqual([]);
    const fields = (req: Parameters<typeof checkPreviewRequest>[0]) => checkPreviewRequest(req).map((p) => p.field);
    expect(fields({ type: 'thumbnail', fps: 10, columns: 2 })).toEqual(['fps', 'columns']);
    expect(fields({ type: 'gif', format: 'webm', duration: 16, fps: 31, width: 1281 })).toEqual(['format', 'duration', 'fps', 'width']);
    expect(fields({ type: 'mosaic', columns: 10, width: 150 })).toEqual(['width']);
    expect(fields({ type: 'clip', duration: 60.5, precision: 'fast' })).toEqual(['duration']);
    expect(fields({ type: 'storyboard', interval: 0.1, tile_width: 700 })).toEqual(['interval', 'tile_width']);
    expect(fields({ type: 'waveform', height: 2000, start: 1 })).toEqual(['start', 'height']);
  });

  it('checks times and frame counts against the duration only when it is known', () => {
    expect(checkAgainstDuration({ type: 'thumbnail', timestamp: 6 }, 6).map((p) => p.field)).toEqual(['timestamp']);
    expect(checkAgainstDuration({ type: 'thumbnail', timestamp: 5.9 }, 6)).toEqual([]);
    expect(checkAgainstDuration({ type: 'thumbnail', timestamp: 600 }, null)).toEqual([]);
    expect(checkAgainstDuration({ type: 'storyboard', interval: 0.5 }, 3600).map((p) => p.field)).toEqual(['interval']);
  });

  it('spreads frames over equal slices, keeps windows inside the media and sizes in proportion', () => {
    expect(spreadTimes(6, 6)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    expect(windowIn(4, 5, 6)).toEqual({ start: 4, duration: 2 });
    expect(windowIn(4, 5, null)).toEqual({ start: 4, duration: 5 });
    expect(scaledHeight(200, { width: 640, height: 360 })).toBe(112);
    expect(scaledHeight(160, { width: 1080, height: 1920 })).toBe(284);
    expect(scaledHeight(160, { width: null, height: null })).toBe(160);
  });

  it('plans storyboards of at most 100 frames by default, 10 × 10 per sheet, and one small sheet when there are few', () => {
    expect(planStoryboard(600, undefined)).toMatchObject({ interval: 6, columns: 10, rows: 10, sheets: 1 });
    expect(planStoryboard(600, undefined).times).toHaveLength(100);
    expect(planStoryboard(601, undefined)).toMatchObject({ interval: 7, sheets: 1 });
    expect(planStoryboard(600, 5)).toMatchObject({ columns: 10, rows: 10, sheets: 2 });
    expect(planStoryboard(6, 1)).toMatchObject({ times: [0, 1, 2, 3, 4, 5], columns: 6, rows: 1, sheets: 1 });
    expect(planStoryboard(25, 1)).toMatchObject({ columns: 10, rows: 3, sheets: 1 });
  });

  it('writes WebVTT cues that point at their tile in their sheet', () => {
    const plan = planStoryboard(2.5, 1);
    const vtt = storyboardVtt(plan, 2.5, { width: 160, height: 90 }, (i) => `https://files/s${i}.jpg`);
    expect(vtt).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhttps://files/s0.jpg#xywh=0,0,160,90\n\n' +
        '00:00:01.000 --> 00:00:02.000\nhttps://files/s0.jpg#xywh=160,0,160,90\n\n' +
        '00:00:02.000 --> 00:00:02.500\nhttps://files/s0.jpg#xywh=320,0,160,90\n',
    );
    expect(vttTime(3725.5)).toBe('01:02:05.500');
  });

  it('measures peaks whatever the chunk boundaries, odd bytes included', () => {
    const samples = Int16Array.from([0, 100, -32768, 50, 16384, -16384, 0, 8]);
    const bytes = Buffer.from(samples.buffer);
    const whole = new PeakMeter(4, samples.length);
    whole.push(bytes);
    const pieces = new PeakMeter(4, samples.length);
    for (const [a, b] of [[0, 3], [3, 4], [4, 11], [11, 16]]) pieces.push(bytes.subarray(a, b));
    expect(whole.result()).toEqual([0.003, 1, 0.5, 0]);
    expect(pieces.result()).toEqual(whole.result());
  });

  it('draws the waveform as SVG with one bar per peak', () => {
    const svg = waveformSvg([0, 0.5, 1], 30, 20, '#ff0000', '#ffffff');
    expect(svg).toContain('width="30" height="20"');
    expect(svg.match(/M/g)).toHaveLength(3);
    expect(svg).toContain('M25.00 0.00V20.00');
  });
});

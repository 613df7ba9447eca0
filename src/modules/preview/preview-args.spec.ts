import { describe, expect, it } from '@jest/globals';
import { isConfined, remoteInput } from '../../platform/tools/ffprobe.js';
import { animationArgs, fitScale, outputSize, thumbnailArgs, tileFramesArgs } from './preview-args.js';
import { even, scaledHeight } from './preview-plan.js';

/** Evaluates fitScale's width and height expressions as ffmpeg would for a frame of iw × ih. */
function evaluate(filter: string, iw: number, ih: number): { width: number; height: number } {
  const [, w, h] = /^scale='([^']+)':'([^']+)'/.exec(filter)!;
  const run = (expr: string, ow?: number) =>
    Function('max', 'min', 'round', 'iw', 'ih', 'ow', `return ${expr};`)(Math.max, Math.min, Math.round, iw, ih, ow) as number;
  const width = run(w!);
  return { width, height: run(h!, width) };
}

describe('fitScale', () => {
  it.each([
    [1280, 720],
    [640, 360],
    [1080, 1920],
    [853, 480],
    [3, 3],
  ])('keeps the aspect ratio of %i × %i with even sizes, as even and scaledHeight round them', (iw, ih) => {
    expect(evaluate(fitScale({ width: null }), iw, ih)).toEqual({ width: even(iw), height: scaledHeight(even(iw), { width: iw, height: ih }) });
    expect(evaluate(fitScale({ width: 333 }), iw, ih)).toEqual({ width: 334, height: scaledHeight(334, { width: iw, height: ih }) });
    const capped = Math.min(480, iw);
    expect(evaluate(fitScale({ width: null, cap: 480 }), iw, ih)).toEqual({ width: even(capped), height: scaledHeight(even(capped), { width: iw, height: ih }) });
  });

  it('quotes its expressions, whose commas would otherwise split the filter chain', () => {
    expect(fitScale({ width: null, cap: 480 })).toBe("scale='max(2,round((min(480,iw))/2)*2)':'max(2,round((ow*ih/iw)/2)*2)':flags=lanczos,setsar=1");
    expect(thumbnailArgs(['-i', 'in.mp4'], 300, { width: 640 }, 'jpg', 'out.jpg')).toContain("scale='640':'max(2,round((ow*ih/iw)/2)*2)':flags=lanczos,setsar=1");
    const gif = animationArgs(['-i', 'in.mp4'], { start: 300, duration: 5 }, 10, { width: null, cap: 480 }, 'gif', 'out.gif');
    expect(gif[gif.indexOf('-filter_complex') + 1]).toMatch(/^\[0:v:0\]fps=10,scale='max\(2,round\(\(min\(480,iw\)\)\/2\)\*2\)':.*,split\[a\]\[b\];/);
  });
});

describe('outputSize', () => {
  it('reads the size of the video ffmpeg wrote, not of its input', () => {
    const stderr = [
      "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'in.mp4':",
      '  Stream #0:0[0x1](und): Video: h264 (Constrained Baseline), 1 reference frame (avc1 / 0x31637661), yuv420p(progressive, left), 640x360 (640x368) [SAR 1:1 DAR 16:9], 1697 kb/s, 25 fps',
      "Output #0, image2, to 'out.jpg':",
      '  Metadata:',
      '    encoder         : Lavf59.27.100',
      '  Stream #0:0(und): Video: mjpeg, 1 reference frame, yuvj420p(pc, progressive, left), 334x188 (0x0) [SAR 1:1 DAR 167:94], q=2-31, 200 kb/s, 25 fps, 25 tbn (default)',
    ].join('\n');
    expect(outputSize(stderr)).toEqual({ width: 334, height: 188 });
    expect(outputSize('  Stream #0:0: Video: gif, pal8(pc), 480x270 (0x0) [SAR 1:1 DAR 16:9], 10 fps\nOutput #0, gif, to \'o.gif\':\n  Stream #0:0: Video: gif, 1 reference frame, pal8(pc, gbr/unknown/unknown, progressive, left), 480x270 (0x0) [SAR 1:1 DAR 16:9], q=2-31')).toEqual({ width: 480, height: 270 });
    expect(outputSize("Input #0 ...\n  Stream #0:0: Video: h264, 1280x720 [SAR 1:1]\nfailed before any output")).toBeNull();
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

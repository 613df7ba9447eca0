import { describe, expect, it } from '@jest/globals';
import { parsePocketsphinx } from '../../platform/tools/pocketsphinx-args.js';
import { parseCaptions, parseTimestamp, segmentWords, toSrt, toTxt, toVtt, wrapCue } from './transcript-formats.js';

describe('caption parsing', () => {
  it.each([
    ['00:00:01.500', 1.5],
    ['01:02:03,004', 3723.004],
    ['02:03.5', 123.5],
    ['nonsense', null],
  ])('timestamp %s → %s', (text, expected) => expect(parseTimestamp(text)).toBe(expected));

  it('reads WebVTT with header, settings, markup and entities', () => {
    const vtt = 'WEBVTT\nKind: captions\n\nNOTE a note\n\n1\n00:00:00.500 --> 00:00:02.000 align:start position:0%\n<v Ann>Hello <c>there</c> &amp; welcome\n\n00:00:02.000 --> 00:00:03.000\nsecond line\n';
    expect(parseCaptions(vtt)).toEqual([
      { start: 0.5, end: 2, text: 'Hello there & welcome' },
      { start: 2, end: 3, text: 'second line' },
    ]);
  });

  it('reads SRT and skips empty or backwards cues', () => {
    const srt = '1\r\n00:00:01,000 --> 00:00:02,000\r\nOne\r\n\r\n2\r\n00:00:03,000 --> 00:00:02,000\r\nBackwards\r\n\r\n3\r\n00:00:04,000 --> 00:00:05,000\r\n\r\n';
    expect(parseCaptions(srt)).toEqual([{ start: 1, end: 2, text: 'One' }]);
  });

  it('collapses rolling automatic captions into phrases', () => {
    const vtt = 'WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nhello world\n\n00:00:02.000 --> 00:00:02.010\nhello world\n\n00:00:02.010 --> 00:00:04.000\nhello world how are you\n';
    expect(parseCaptions(vtt)).toEqual([
      { start: 0, end: 2.01, text: 'hello world' },
      { start: 2.01, end: 4, text: 'how are you' },
    ]);
  });
});

describe('writers', () => {
  const segments = [
    { start: 0.5, end: 2.25, text: 'Hello world.' },
    { start: 5, end: 6, text: 'Later.' },
  ];

  it('SRT: numbered cues with comma milliseconds', () => {
    expect(toSrt(segments)).toBe('1\n00:00:00,500 --> 00:00:02,250\nHello world.\n\n2\n00:00:05,000 --> 00:00:06,000\nLater.\n');
  });

  it('VTT: header and dot milliseconds', () => {
    expect(toVtt(segments)).toBe('WEBVTT\n\n00:00:00.500 --> 00:00:02.250\nHello world.\n\n00:00:05.000 --> 00:00:06.000\nLater.\n');
  });

  it('TXT: a paragraph per pause of two seconds or more', () => {
    expect(toTxt(segments)).toBe('Hello world.\n\nLater.\n');
  });

  it('wraps long cues into two balanced lines and splits longer ones into several cues', () => {
    expect(wrapCue('one two three four five six seven eight nine ten eleven')).toBe('one two three four five six\nseven eight nine ten eleven');
    const long = { start: 0, end: 10, text: Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ') };
    const srt = toSrt([long]);
    const cues = srt.trim().split('\n\n');
    expect(cues.length).toBeGreaterThan(1);
    for (const cue of cues) for (const line of cue.split('\n').slice(2)) expect(line.length).toBeLessThanOrEqual(50);
    expect(srt).not.toMatch(/-->\s*\n\n/);
  });
});

describe('speech', () => {
  it('parses pocketsphinx -time output, dropping markers and alternates', () => {
    const out = 'the quick brown\n<s> 0.140 0.230 1.000200\nthe 0.240 0.310 0.715525\non(2) 4.960 5.070 0.468796\n<sil> 2.790 2.850 0.52\n[NOISE] 3.0 3.1 0.5\n</s> 5.820 5.850 1.000000\n';
    expect(parsePocketsphinx(out)).toEqual([
      { word: 'the', start: 0.24, end: 0.31, confidence: 0.716 },
      { word: 'on', start: 4.96, end: 5.07, confidence: 0.469 },
    ]);
  });

  it('groups words into segments at pauses', () => {
    const w = (word: string, start: number, end: number) => ({ word, start, end });
    const segments = segmentWords([w('a', 0, 0.2), w('b', 0.3, 0.5), w('c', 1.5, 1.7)]);
    expect(segments.map((s) => [s.start, s.end, s.text])).toEqual([[0, 0.5, 'a b'], [1.5, 1.7, 'c']]);
  });
});

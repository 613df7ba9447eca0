import type { Segment, Word } from '../../platform/tools/speech-types.js';
import type { Transcript } from './transcribe.job.js';

export type { Segment, Word };

export const TRANSCRIPT_FORMATS = ['json', 'srt', 'vtt', 'txt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

const TIME = /(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})/;

export function parseTimestamp(text: string): number | null {
  const m = TIME.exec(text.trim());
  if (!m) return null;
  const [, h, mi, s, ms] = m;
  return Number(h ?? 0) * 3600 + Number(mi) * 60 + Number(s) + Number((ms ?? '0').padEnd(3, '0')) / 1000;
}

/** Cue text without markup: tags (`<c>`, `<00:00:01.000>`, `<v Name>`), entities, extra spaces. */
function cleanCueText(lines: string[]): string {
  return lines
    .join(' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** WebVTT or SRT cues → segments. Tolerant of both (and of the missing WEBVTT header). */
export function parseCaptions(text: string): Segment[] {
  const segments: Segment[] = [];
  const blocks = text.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const timing = lines.findIndex((l) => l.includes('-->'));
    if (timing < 0) continue; // header, NOTE, STYLE, REGION
    const [from, to] = lines[timing]!.split('-->');
    const start = parseTimestamp(from ?? '');
    const end = parseTimestamp((to ?? '').trim().split(/\s+/)[0] ?? '');
    const body = cleanCueText(lines.slice(timing + 1));
    if (start === null || end === null || !body || end <= start) continue;
    segments.push({ start, end, text: body });
  }
  return dedupeRollingCaptions(segments);
}

/**
 * Automatic captions often repeat the previous line while the next one rolls in ("a b" then
 * "a b c d"). Keeps each spoken phrase once, with the time it was on screen.
 */
function dedupeRollingCaptions(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const prev = out[out.length - 1];
    if (prev && prev.text === s.text) {
      prev.end = Math.max(prev.end, s.end);
      continue;
    }
    if (prev && s.text.startsWith(`${prev.text} `) && s.start < prev.end + 0.05) {
      const rest = s.text.slice(prev.text.length + 1);
      out.push({ start: Math.max(s.start, prev.end), end: s.end, text: rest });
      continue;
    }
    out.push({ ...s });
  }
  return out.filter((s) => s.end > s.start);
}

function clock(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** Breaks cue text into at most two balanced lines of about `width` characters. */
export function wrapCue(text: string, width = 42): string {
  if (text.length <= width) return text;
  const words = text.split(' ');
  let best = text;
  let bestScore = Infinity;
  for (let i = 1; i < words.length; i++) {
    const a = words.slice(0, i).join(' ');
    const b = words.slice(i).join(' ');
    const score = Math.max(a.length, b.length);
    if (score < bestScore) {
      bestScore = score;
      best = `${a}\n${b}`;
    }
  }
  return best;
}

/** Splits segments too long for one cue (two lines) at word boundaries, sharing time by length. */
function cues(segments: Segment[], maxChars = 84): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const text = s.text.trim();
    if (!text) continue;
    if (text.length <= maxChars) {
      out.push({ start: s.start, end: s.end, text });
      continue;
    }
    const parts: string[] = [];
    let current = '';
    for (const w of text.split(' ')) {
      if (current && current.length + 1 + w.length > maxChars) {
        parts.push(current);
        current = w;
      } else current = current ? `${current} ${w}` : w;
    }
    if (current) parts.push(current);
    const perChar = (s.end - s.start) / text.length;
    let t = s.start;
    for (const p of parts) {
      const end = Math.min(s.end, t + perChar * (p.length + 1));
      out.push({ start: t, end, text: p });
      t = end;
    }
  }
  return out;
}

export function toSrt(segments: Segment[]): string {
  return cues(segments)
    .map((c, i) => `${i + 1}\n${clock(c.start, ',')} --> ${clock(c.end, ',')}\n${wrapCue(c.text)}\n`)
    .join('\n');
}

export function toVtt(segments: Segment[]): string {
  const body = cues(segments).map((c) => `${clock(c.start, '.')} --> ${clock(c.end, '.')}\n${wrapCue(c.text)}\n`);
  return `WEBVTT\n\n${body.join('\n')}`;
}

/** Plain text in paragraphs: a new paragraph after a pause of `pause` seconds or more. */
export function toTxt(segments: Segment[], pause = 2): string {
  const paragraphs: string[][] = [];
  let last: Segment | undefined;
  for (const s of segments) {
    if (!last || s.start - last.end >= pause) paragraphs.push([]);
    paragraphs[paragraphs.length - 1]!.push(s.text.trim());
    last = s;
  }
  return `${paragraphs.map((p) => p.join(' ')).join('\n\n')}\n`;
}

export function fullText(segments: Segment[]): string {
  return segments.map((s) => s.text.trim()).filter(Boolean).join(' ');
}

/** Groups recognized words into segments at pauses, or when a segment grows too long. */
export function segmentWords(words: Word[], opts: { pause?: number; maxSeconds?: number; maxChars?: number } = {}): Segment[] {
  const pause = opts.pause ?? 0.6;
  const maxSeconds = opts.maxSeconds ?? 8;
  const maxChars = opts.maxChars ?? 84;
  const segments: Segment[] = [];
  let current: Word[] = [];
  const flush = () => {
    if (!current.length) return;
    segments.push({ start: current[0]!.start, end: current[current.length - 1]!.end, text: current.map((w) => w.word).join(' '), words: current });
    current = [];
  };
  for (const w of words) {
    const prev = current[current.length - 1];
    const text = current.map((x) => x.word).join(' ');
    if (prev && (w.start - prev.end >= pause || w.end - current[0]!.start > maxSeconds || text.length + w.word.length + 1 > maxChars)) flush();
    current.push(w);
  }
  flush();
  return segments;
}

export const TRANSCRIPT_CONTENT_TYPES: Record<TranscriptFormat, string> = {
  json: 'application/json',
  srt: 'application/x-subrip',
  vtt: 'text/vtt',
  txt: 'text/plain; charset=utf-8',
};

export function renderTranscript(t: Transcript, format: TranscriptFormat): string {
  switch (format) {
    case 'srt':
      return toSrt(t.segments);
    case 'vtt':
      return toVtt(t.segments);
    case 'txt':
      return toTxt(t.segments);
    case 'json':
      return `${JSON.stringify({ language: t.language, source: t.source, provider: t.provider, duration: t.duration, text: t.text, segments: t.segments }, null, 2)}\n`;
  }
}

export function withoutWords(t: Transcript): Transcript {
  return { ...t, segments: t.segments.map(({ words: _words, ...s }) => s) };
}

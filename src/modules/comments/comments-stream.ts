import type { Comment } from './comments.job.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** The longest top-level field value kept (a count, an id, an extractor's name; never the description). */
const MAX_FIELD_CHARS = 4096;
const MAX_KEY_CHARS = 256;

export interface InfoJsonReaderOptions {
  /** Top-level fields whose values (strings, numbers, booleans, null) are kept. */
  fields: readonly string[];
  /** Each object of the top-level `comments` array, parsed, as soon as it has been read. */
  onComment: (raw: Record<string, unknown>) => void;
  /** A comment longer than this (as JSON text) is skipped, not kept. */
  maxCommentChars: number;
}

export interface InfoJsonSummary {
  fields: Record<string, unknown>;
  /** Whether the document has a `comments` array (an extractor without comments, or comments turned off, has none). */
  hasComments: boolean;
  /** Comments read and handed on. */
  comments: number;
  /** Comments left out: longer than the limit, or not JSON objects. */
  skipped: number;
}

type Capture = 'key' | 'field' | 'comment';

/**
 * Reads a yt-dlp info JSON piece by piece, however large, without holding it: only the text of the
 * one value being captured (a top-level key, a wanted top-level field, or one comment) is kept,
 * everything else is scanned past. A video with 100,000 comments is one JSON object of tens of
 * megabytes; this reads it with the memory of its largest comment.
 */
export class InfoJsonReader {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Inside the top-level object: the next string is a key. */
  private expectKey = false;
  /** After a top-level key's colon, before its value starts. */
  private valuePending = false;
  private key: string | null = null;
  /** Inside the top-level `comments` array. */
  private inComments = false;
  /** In that array, after `[` or `,`: the next value is an element. */
  private expectElement = false;
  private started = false;

  /** The one value being kept, from `captureStart` in the current piece (earlier pieces in `parts`). */
  private capture: Capture | null = null;
  private parts: string[] = [];
  private captureStart = 0;
  private captured = 0;
  private limit = 0;
  private tooLong = false;

  private readonly fields: Record<string, unknown> = {};
  private readonly wanted: ReadonlySet<string>;
  private hasComments = false;
  private comments = 0;
  private skipped = 0;

  constructor(private readonly opts: InfoJsonReaderOptions) {
    this.wanted = new Set(opts.fields);
  }

  /** The next piece of the document (any length; split anywhere, even inside a string). */
  push(chunk: string): void {
    this.captureStart = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.capture === 'key') this.endKey(chunk, i + 1);
        }
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (!this.started) {
        if (c !== OPEN_OBJECT) throw new Error('not an info JSON: the document is not an object');
        this.started = true;
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          if (this.depth === 1 && this.expectKey) {
            this.expectKey = false;
            this.begin('key', i, MAX_KEY_CHARS);
          } else this.valueStarts(c, i);
          break;
        case OPEN_OBJECT:
        case OPEN_ARRAY:
          this.valueStarts(c, i);
          this.depth++;
          if (this.depth === 1) this.expectKey = true;
          if (this.depth === 2 && this.inComments) this.expectElement = true;
          break;
        case CLOSE_OBJECT:
        case CLOSE_ARRAY:
          if (this.depth === 1 && this.capture === 'field') this.endValue(chunk, i);
          this.depth--;
          if (this.depth < 0) throw new Error('not an info JSON: unbalanced brackets');
          if (this.capture === 'comment' && this.depth === 2) this.endValue(chunk, i + 1);
          if (this.inComments && this.depth === 1) this.inComments = false;
          break;
        case COMMA:
          if (this.depth === 1) {
            if (this.capture === 'field') this.endValue(chunk, i);
            this.expectKey = true;
          } else if (this.depth === 2 && this.inComments) this.expectElement = true;
          break;
        case COLON:
          if (this.depth === 1) this.valuePending = true;
          break;
        default:
          this.valueStarts(c, i);
      }
    }
    if (this.capture && !this.tooLong) this.keep(chunk.slice(this.captureStart));
  }

  /** The document has ended: what it said. Throws when it was cut short. */
  end(): InfoJsonSummary {
    if (!this.started || this.depth !== 0 || this.inString) throw new Error('not an info JSON: the document is incomplete');
    return { fields: this.fields, hasComments: this.hasComments, comments: this.comments, skipped: this.skipped };
  }

  /** A value starts at `i` with character `c`: the value of a top-level key, or an element of `comments`. */
  private valueStarts(c: number, i: number): void {
    if (this.depth === 1 && this.valuePending) {
      this.valuePending = false;
      if (this.key === 'comments' && c === OPEN_ARRAY) {
        this.inComments = true;
        this.hasComments = true;
      } else if (this.key !== null && this.wanted.has(this.key) && c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
        this.begin('field', i, MAX_FIELD_CHARS);
      }
    } else if (this.inComments && this.depth === 2 && this.expectElement) {
      this.expectElement = false;
      if (c === OPEN_OBJECT) this.begin('comment', i, this.opts.maxCommentChars);
      else this.skipped++;
    }
  }

  private begin(kind: Capture, at: number, limit: number): void {
    this.capture = kind;
    this.parts = [];
    this.captureStart = at;
    this.captured = 0;
    this.tooLong = false;
    this.limit = limit;
  }

  /** Keeps a piece of the captured value, unless it has grown past its limit (then it is only scanned to its end). */
  private keep(piece: string): void {
    this.captured += piece.length;
    if (this.captured > this.limit) {
      this.tooLong = true;
      this.parts = [];
    } else this.parts.push(piece);
  }

  private endKey(chunk: string, endExclusive: number): void {
    const text = this.finish(chunk, endExclusive);
    this.key = text === null ? null : (JSON.parse(text) as string);
  }

  /** The captured value ends before `endExclusive` in `chunk`. */
  private endValue(chunk: string, endExclusive: number): void {
    const kind = this.capture;
    const text = this.finish(chunk, endExclusive);
    if (kind === 'field') {
      if (text !== null && this.key !== null) this.fields[this.key] = JSON.parse(text) as unknown;
      return;
    }
    if (text === null) {
      this.skipped++;
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.skipped++;
      return;
    }
    this.comments++;
    this.opts.onComment(raw as Record<string, unknown>);
  }

  /** The whole captured text, or null when it was too long to keep. */
  private finish(chunk: string, endExclusive: number): string | null {
    if (!this.tooLong) this.keep(chunk.slice(this.captureStart, endExclusive));
    const text = this.tooLong ? null : this.parts.join('');
    this.capture = null;
    this.parts = [];
    return text;
  }
}

/** Reads a whole info JSON from text pieces (a file stream's chunks); see InfoJsonReader. */
export async function readInfoJson(pieces: AsyncIterable<string>, opts: InfoJsonReaderOptions): Promise<InfoJsonSummary> {
  const reader = new InfoJsonReader(opts);
  for await (const piece of pieces) reader.push(piece);
  return reader.end();
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? clean(v) : null);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text every JSON reader (and Postgres) accepts: no NUL, no half of a surrogate pair alone. */
function clean(s: string): string {
  return s.replace(/\u0000/g, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** Plain text of a comment given only as HTML. */
function htmlText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" })[e] ?? '');
}

/** Whether a comment was edited, when the site says: a flag, or YouTube's "(edited)" after its time. */
function editedOf(raw: Record<string, unknown>): boolean | undefined {
  if (typeof raw.edited === 'boolean') return raw.edited;
  if (typeof raw.is_edited === 'boolean') return raw.is_edited;
  const time = raw._time_text ?? raw.time_text;
  return typeof time === 'string' ? /\(edited\)/i.test(time) : undefined;
}

/**
 * One comment as yt-dlp gives it (`id`, `parent` — "root" for a thread's first — `text` or `html`,
 * `author`, `author_id`, `author_url`, `like_count`, `timestamp`, `is_pinned`, `is_favorited`,
 * `author_is_uploader`), as Mediary returns it. `index` names a comment that has no id.
 */
export function normalizeComment(raw: Record<string, unknown>, index: number): Comment {
  const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? clean(String(raw.id)) : '';
  const parent = typeof raw.parent === 'string' || typeof raw.parent === 'number' ? clean(String(raw.parent)) : '';
  const likes = typeof raw.like_count === 'number' && Number.isFinite(raw.like_count) ? Math.max(0, Math.round(raw.like_count)) : 0;
  const ts = typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp) ? new Date(raw.timestamp * 1000) : null;
  const authorUrl = str(raw.author_url);
  const edited = editedOf(raw);
  return {
    id: id || `#${index}`,
    parent_id: parent && parent !== 'root' ? parent : null,
    author: str(raw.author),
    author_id: str(raw.author_id),
    ...(authorUrl ? { author_url: authorUrl } : {}),
    text: str(raw.text) ?? (typeof raw.html === 'string' ? clean(htmlText(raw.html)) : ''),
    likes,
    timestamp: ts && !Number.isNaN(ts.getTime()) ? ts.toISOString() : null,
    pinned: raw.is_pinned === true,
    hearted: raw.is_favorited === true,
    by_uploader: raw.author_is_uploader === true,
    ...(edited !== undefined ? { edited } : {}),
  };
}

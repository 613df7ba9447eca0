import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The media fixtures (test/support/fixtures.mjs makes them before any spec runs). */
const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.fixtures');

/** The yt-dlp plugin folder with this site's extractor: the value of YTDLP_PLUGIN_DIRS in the specs. */
export const SITE_PLUGIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'ytdlp-plugins');

/** A comment as the site's API gives it: yt-dlp's field names, which the extractor passes on. */
export interface SiteComment {
  id: string;
  parent: string;
  text: string;
  author: string;
  author_id: string;
  author_thumbnail?: string;
  author_url?: string;
  like_count: number;
  timestamp: number;
  is_favorited: boolean;
  author_is_uploader: boolean;
  is_pinned?: boolean;
  _time_text: string;
}

/**
 * A small video site with comments, on 127.0.0.1, read by the yt-dlp extractor in
 * test/ytdlp-plugins (loaded with YTDLP_PLUGIN_DIRS):
 * - `/fixture-video/<id>`: the video page;
 * - `/api/videos/<id>`: its metadata (what the site says its comment count is);
 * - `/api/videos/<id>/comments?page=N`: its comments in the site's own order (neither by likes
 *   nor by time), `PAGE` at a time, with `next_page`;
 * - `/media/clip.mp4`: the video itself; `/about`: a page with no video at all.
 *
 * Videos: `talk` (1,250 comments in threads up to four replies deep, a pinned one with few likes,
 * hearted ones, unicode and emoji, an edited one, the uploader's), `big-<n>` (n comments),
 * `quiet` (comments turned off), `empty` (comments on, none yet).
 */
export const SITE_VIDEOS: Record<string, { comments: number; enabled: boolean }> = {
  talk: { comments: 1250, enabled: true },
  quiet: { comments: 0, enabled: false },
  empty: { comments: 0, enabled: true },
};

const PAGE = 200;
const UNICODE = ['Grüße aus Köln 👋🏽', '日本語のコメント ✓', 'family 👨‍👩‍👧 and flags 🇫🇷🇯🇵', 'quotes "like this", a back\\slash,\na newline and ] } ", "comments": ['];

function videoOf(id: string): { comments: number; enabled: boolean } | null {
  if (SITE_VIDEOS[id]) return SITE_VIDEOS[id];
  const big = /^big-(\d{1,6})$/.exec(id);
  return big ? { comments: Number(big[1]), enabled: true } : null;
}

/** The comments of a video, in the site's order: each thread's root, then its replies (a reply always after its parent). */
export function siteComments(id: string, base = 'http://127.0.0.1'): SiteComment[] {
  const video = videoOf(id);
  if (!video) return [];
  const out: SiteComment[] = [];
  const start = Date.UTC(2026, 0, 1) / 1000;
  for (let r = 0; out.length < video.comments; r++) {
    const root: SiteComment = {
      id: `${id}-c${r}`,
      parent: 'root',
      text: r % 10 === 3 ? `${UNICODE[r % UNICODE.length]} #${r}` : `Comment number ${r} on ${id}`,
      author: r % 10 === 3 ? `Zoë ${r} 🎧` : `viewer${r}`,
      author_id: `UC${r}`,
      author_thumbnail: `${base}/avatars/${r}.jpg`,
      like_count: (r * 7919) % 3001,
      timestamp: start + ((r * 2654435761) % 31_536_000),
      is_favorited: r === 3 || r === 42,
      author_is_uploader: r === 17,
      is_pinned: r === 17,
      _time_text: r === 5 ? '2 days ago (edited)' : '2 days ago',
      ...(r % 4 === 0 ? { author_url: `${base}/@viewer${r}` } : {}),
    };
    if (r === 17) root.like_count = 1; // pinned although few like it
    out.push(root);
    // Threads of 0–4 replies; every third thread nests each reply under the one before it.
    const replies = r % 5;
    for (let j = 0; j < replies && out.length < video.comments; j++) {
      const parent = r % 3 === 0 && j > 0 ? out[out.length - 1]! : root;
      out.push({
        id: `${root.id}-r${j}`,
        parent: parent.id,
        text: j === 1 ? `↳ réponse ${j} ✨ to ${parent.id}` : `reply ${j} to ${parent.id}`,
        author: j === 2 && r === 4 ? 'The Uploader' : `replier${r}-${j}`,
        author_id: `UR${r}-${j}`,
        like_count: (r * 31 + j * 17) % 97,
        timestamp: parent.timestamp + 60 * (j + 1),
        is_favorited: r === 4 && j === 0,
        author_is_uploader: r === 4 && j === 2,
        _time_text: '1 day ago',
      });
    }
  }
  return out;
}

export function startCommentSite(host = '127.0.0.1', port = 0): Promise<http.Server> {
  const cache = new Map<string, SiteComment[]>();
  const commentsOf = (id: string, base: string): SiteComment[] => {
    if (!cache.has(id)) cache.set(id, siteComments(id, base));
    return cache.get(id)!;
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const base = `http://${req.headers.host}`;
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    let m: RegExpExecArray | null;
    if ((m = /^\/fixture-video\/([\w-]+)$/.exec(url.pathname))) {
      const video = videoOf(m[1]!);
      if (!video) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<html><title>Not found</title></html>');
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><html><head><title>Fixture video ${m[1]}</title></head><body><h1>${m[1]}</h1><div id="player"></div></body></html>`,
      );
    }
    if ((m = /^\/api\/videos\/([\w-]+)$/.exec(url.pathname))) {
      const video = videoOf(m[1]!);
      if (!video) return void json(404, { error: 'no such video' });
      return void json(200, {
        id: m[1],
        title: `Fixture video ${m[1]}`,
        uploader: 'The Uploader',
        uploader_id: 'UCuploader',
        duration: 6,
        width: 640,
        height: 360,
        view_count: 12345,
        comment_count: video.enabled ? video.comments : null,
        comments_enabled: video.enabled,
        media_path: '/media/clip.mp4',
      });
    }
    if ((m = /^\/api\/videos\/([\w-]+)\/comments$/.exec(url.pathname))) {
      const all = commentsOf(m[1]!, base);
      const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
      const slice = all.slice((page - 1) * PAGE, page * PAGE);
      return void json(200, { comments: slice, next_page: page * PAGE < all.length ? page + 1 : null });
    }
    if (url.pathname === '/media/clip.mp4') {
      const file = path.join(FIXTURE_DIR, 'direct.mp4');
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(statSync(file).size) });
      return void createReadStream(file).pipe(res);
    }
    if (url.pathname === '/about') {
      return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html><head><title>About</title></head><body><p>A page about nothing.</p></body></html>');
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

export function siteUrl(server: http.Server): string {
  const a = server.address() as AddressInfo;
  return `http://${a.address}:${a.port}`;
}

import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { FIXTURE_DIR } from './fixtures.mjs';

const TYPES = {
  '.mp4': 'video/mp4', '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t', '.vtt': 'text/vtt', '.html': 'text/html',
};

/**
 * Serves the fixtures on 127.0.0.x like a small video site would:
 * - `/<file>`: static files, with Range support;
 * - `/slow/<file>?bps=N`: the same bytes throttled to N bytes/s (default 150 KB/s);
 * - `/redirect?to=<url>`: a 302 to any URL;
 * - `/seek-redirect/<file>?to=<url>`: the file read from its start, but a 302 to any URL for a
 *   range that starts further in: a site that answers a probe honestly and a seek with a lie;
 * - `/gone`: 404.
 */
export function startMediaServer(host, port = 0) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
      return;
    }
    const slow = url.pathname.startsWith('/slow/');
    const name = path.basename(slow ? url.pathname.slice('/slow'.length) : url.pathname);
    if (url.pathname.startsWith('/seek-redirect/') && Number(/^bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0) > 0) {
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
      return;
    }
    const file = path.join(FIXTURE_DIR, name);
    let size;
    try {
      size = statSync(file).size;
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    res.writeHead(range ? 206 : 200, {
      'content-type': type,
      'content-length': String(end - start + 1),
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file, { start, end, highWaterMark: 16 * 1024 });
    if (!slow) {
      stream.pipe(res);
      return;
    }
    const bps = Number(url.searchParams.get('bps') ?? 150_000);
    stream.on('data', (chunk) => {
      stream.pause();
      res.write(chunk);
      setTimeout(() => stream.resume(), (chunk.length / bps) * 1000);
    });
    stream.on('end', () => res.end());
    res.on('close', () => stream.destroy());
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

export function serverUrl(server) {
  const a = server.address();
  return `http://${a.address}:${a.port}`;
}

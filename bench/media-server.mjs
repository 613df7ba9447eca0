// Tiny static file server for the benchmarks: `node bench/media-server.mjs DIR PORT`.
// Binds 127.0.0.1 only; supports HEAD and single byte ranges (ffprobe and yt-dlp use them).
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const [dir, portText] = process.argv.slice(2);
const root = path.resolve(dir);

http
  .createServer((req, res) => {
    if (req.url === '/__health') return res.end('ok');
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(root, path.normalize(name));
    let st;
    try {
      if (!file.startsWith(root + path.sep)) throw new Error('outside');
      st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
    } catch {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    let end = st.size - 1;
    let status = 200;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (range[1] || range[2])) {
      if (range[1]) {
        start = Number(range[1]);
        if (range[2]) end = Math.min(end, Number(range[2]));
      } else {
        start = Math.max(0, st.size - Number(range[2]));
      }
      if (start > end || start >= st.size) {
        res.writeHead(416, { 'Content-Range': `bytes */${st.size}` }).end();
        return;
      }
      status = 206;
    }
    const headers = {
      'Content-Type': file.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream',
      'Content-Length': end - start + 1,
      'Accept-Ranges': 'bytes',
      'Last-Modified': st.mtime.toUTCString(),
    };
    if (status === 206) headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
    res.writeHead(status, headers);
    if (req.method === 'HEAD') return res.end();
    createReadStream(file, { start, end, highWaterMark: 1 << 20 }).pipe(res);
  })
  .listen(Number(portText), '127.0.0.1');

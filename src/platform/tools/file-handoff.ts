import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback URL for one local file that is not there yet: a program started now (ffprobe) opens
 * the URL and waits, and reads the file once it is handed over, with the range requests it seeks
 * with. The URL serves that one file only (an unguessable path on a server of its own, on
 * 127.0.0.1), never anything a request names; until the hand-over, requests wait; after
 * `close`, there is nothing to read.
 */
export interface FileHandoff {
  url: string;
  /** Serves `file` to the requests waiting and to come. */
  give(file: string): void;
  /** Stops serving: requests waiting get 404, the server closes. */
  close(): void;
}

export async function openFileHandoff(contentType = 'application/octet-stream'): Promise<FileHandoff> {
  const token = randomBytes(16).toString('hex');
  let settle: (file: string | null) => void = () => undefined;
  const given = new Promise<string | null>((resolve) => (settle = resolve));
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== `/${token}`) return void res.writeHead(404).end();
    void given.then((file) => {
      if (file) return serve(file, req, res, contentType);
      res.writeHead(404).end();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${token}`,
    give: (file) => settle(file),
    close: () => {
      settle(null);
      server.close();
      server.closeAllConnections();
    },
  };
}

/** The file, or the byte range asked for (`bytes=a-` or `bytes=a-b`), as a static file server answers. */
async function serve(file: string, req: http.IncomingMessage, res: http.ServerResponse, contentType: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return void res.writeHead(404).end();
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const end = range?.[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
  if (range && (start >= size || start > end)) {
    return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
  }
  const headers = { 'content-type': contentType, 'accept-ranges': 'bytes', 'content-length': String(end - start + 1) };
  res.writeHead(range ? 206 : 200, range ? { ...headers, 'content-range': `bytes ${start}-${end}/${size}` } : headers);
  if (size === 0) return void res.end();
  const stream = createReadStream(file, { start, end });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

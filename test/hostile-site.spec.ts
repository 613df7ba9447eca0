import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { call, startApp, waitForJob, type TestApp } from './support/app.js';

// A site that lies: its "videos" are playlists naming places the instance must never reach. The
// site is trusted (127.0.0.2, ALLOWED_PRIVATE_CIDRS); the listener plays an internal service on
// 127.0.0.1, which stays refused. Whatever the answers, the listener must see no connection.
describe('a hostile site cannot make the media programs reach inside', () => {
  let t: TestApp;
  let acct: { id: string; key: string };
  let site: http.Server;
  let sink: net.Server;
  let sinkPort = 0;
  let siteBase = '';
  let sinkHits = 0;

  const master = (variant: string) => `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000,RESOLUTION=640x360\n${variant}\n`;
  const media = (segment: string) => `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${segment}\n#EXT-X-ENDLIST\n`;
  const targets = () => ({
    udp: `udp://127.0.0.1:${sinkPort}`,
    rtsp: `rtsp://127.0.0.1:${sinkPort}/v`,
    rtmp: `rtmp://127.0.0.1:${sinkPort}/app/s`,
    gopher: `gopher://127.0.0.1:${sinkPort}/x`,
    srt: `srt://127.0.0.1:${sinkPort}`,
    http: `http://127.0.0.1:${sinkPort}/v.m3u8`,
    file: 'file:///etc/hostname',
    // A real media file on this machine: delivered, it would be a customer reading the server's disk.
    localmedia: `file://${path.resolve('test/.fixtures/second.mp4')}`,
    concat: 'concat:/etc/hostname|/etc/hostname',
    subfile: 'subfile,,start,0,end,10,,:/etc/hostname',
    tcp: `tcp://127.0.0.1:${sinkPort}/v.m3u8`,
    tls: `tls://127.0.0.1:${sinkPort}`,
    // A variant that is itself a master playlist, whose own variants connect without HTTP.
    nestedtcp: `${siteBase}/master-tcp.m3u8`,
  });

  beforeAll(async () => {
    sink = net.createServer((socket) => {
      sinkHits++;
      socket.destroy();
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    sinkPort = (sink.address() as net.AddressInfo).port;
    site = http.createServer((req, res) => {
      const m = /^\/(master|media|video)-(\w+)\.(m3u8|mp4)$/.exec(req.url ?? '');
      const target = m ? targets()[m[2] as keyof ReturnType<typeof targets>] : undefined;
      if (!m || !target) {
        res.writeHead(404).end();
        return;
      }
      // `video-*.mp4` is a playlist under a media name and type: ffmpeg detects HLS by content.
      res.writeHead(200, { 'content-type': m[1] === 'video' ? 'video/mp4' : 'application/vnd.apple.mpegurl' });
      res.end(m[1] === 'media' ? media(target) : master(target));
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.2', () => r()));
    siteBase = `http://127.0.0.2:${(site.address() as net.AddressInfo).port}`;
    // One attempt: a hostile input fails the same way every time, and the spec need not wait for retries.
    t = await startApp({ ALLOW_PRIVATE_NETWORKS: 'false', ALLOWED_PRIVATE_CIDRS: '127.0.0.2/32', JOB_ATTEMPTS: '1' });
    acct = await t.account(500);
  });
  afterAll(async () => {
    await t.close();
    await new Promise((r) => site.close(r));
    await new Promise((r) => sink.close(r));
  });

  it.each(['udp', 'rtsp', 'rtmp', 'gopher', 'srt', 'http', 'file', 'localmedia', 'concat', 'subfile', 'tcp', 'tls', 'nestedtcp'])(
    'a %s URL in a manifest is never followed, by info, download, preview or fingerprint',
    async (scheme) => {
      for (const page of [`master-${scheme}.m3u8`, `media-${scheme}.m3u8`, `video-${scheme}.mp4`]) {
        const url = `${siteBase}/${page}`;
        const info = await call(t.url, 'GET', `/v1/info?url=${encodeURIComponent(url)}`, { key: acct.key });
        expect(info.status).toBeLessThan(500);
        // A download, a preview (which reads format URLs in place over HTTP) and a fingerprint;
        // under a media name, also a thumbnail whose time is given (its ffmpeg starts on the URL at once).
        const early = page.startsWith('video-') ? ([['/v1/preview', { url, type: 'thumbnail', timestamp: 1 }]] as const) : [];
        for (const [route, body] of [['/v1/download', { url }], ['/v1/preview', { url, type: 'thumbnail' }], ['/v1/fingerprint', { url }], ...early] as const) {
          const job = await call(t.url, 'POST', route, { key: acct.key, body });
          expect([page, route, job.status < 500]).toEqual([page, route, true]);
          if (job.status === 202) {
            // Nothing the playlist names is ever delivered: the job fails, and is refunded.
            const done = await waitForJob(t.url, acct.key, job.body.job_id);
            expect([page, route, done.status, done.credits_refunded]).toEqual([page, route, 'failed', done.credits_charged]);
          }
        }
      }
      expect(sinkHits).toBe(0);
    },
    120_000,
  );
});

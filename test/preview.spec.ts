import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';

const FIXTURES = path.resolve('test/.fixtures');

interface Streams {
  format: { duration?: string; format_name: string };
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; duration?: string; nb_read_frames?: string }>;
}

/** What ffprobe sees in a result file (frames counted when asked). */
async function probeFile(url: string, countFrames = false): Promise<Streams & { bytes: Buffer }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const bytes = Buffer.from(await res.arrayBuffer());
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mediary-preview-')), 'out');
  writeFileSync(file, bytes);
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...(countFrames ? ['-count_frames'] : []), file];
  return { ...(JSON.parse(execFileSync('ffprobe', args).toString()) as Streams), bytes };
}

/** A site that counts the bytes it sends per file (with range requests, as a CDN would). */
function startCountingSite(dir: string, sent: Map<string, number>): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const name = path.basename(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, name);
    if (!existsSync(file)) return void res.writeHead(404).end();
    const size = statSync(file).size;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
    res.writeHead(range ? 206 : 200, {
      'content-type': 'video/mp4', 'content-length': String(end - start + 1), 'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    // Counted as they leave, at 16 MB/s as a fast link would carry them: a client that hangs up
    // stops the count about where it stopped reading (on loopback, unpaced, the kernel's socket
    // buffers would take megabytes the client never reads).
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sent.set(name, (sent.get(name) ?? 0) + chunk.length);
        setTimeout(() => done(null, chunk), chunk.length / 16_000);
      },
    });
    pipeline(createReadStream(file, { start, end, highWaterMark: 64 * 1024 }), count, res, () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('POST /v1/preview', () => {
  let t: TestApp;
  let site: http.Server;
  let siteUrl: string;
  const sent = new Map<string, number>();
  let longBytes: number;

  beforeAll(async () => {
    const dir = path.join(FIXTURES, 'preview');
    mkdirSync(dir, { recursive: true });
    const long = path.join(dir, 'ten-minutes-360p.mp4');
    if (!existsSync(long)) {
      // Ten minutes of 360p at the bitrate sites serve it (1 Mb/s, constant), a keyframe every
      // 2 s and the index up front: about 80 MB.
      execFileSync('ffmpeg', [
        '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '600',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-b:v', '1000k', '-minrate', '1000k', '-maxrate', '1000k', '-bufsize', '2000k',
        '-x264-params', 'nal-hrd=cbr', '-c:a', 'aac', '-b:a', '64k', '-shortest', '-movflags', '+faststart', `${long}.part.mp4`,
      ]);
      execFileSync('mv', [`${long}.part.mp4`, long]);
    }
    const silent = path.join(dir, 'silence.m4a');
    if (!existsSync(silent)) execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono', '-t', '4', '-c:a', 'aac', silent]);
    const rotated = path.join(dir, 'portrait.mp4');
    // A phone's portrait video: landscape pixels and a display matrix that turns them.
    if (!existsSync(rotated)) execFileSync('ffmpeg', ['-v', 'error', '-i', path.join(FIXTURES, 'direct.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    // A page under a media name (served as video/mp4 like everything on this site).
    writeFileSync(path.join(dir, 'page.mp4'), '<html><body><p>Not a video</p></body></html>');
    longBytes = statSync(long).size;
    site = await startCountingSite(dir, sent);
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    t = await startApp();
  }, 180_000);
  afterAll(async () => {
    await t.close();
    site.close();
  }, 120_000);

  const preview = async (key: string, body: Record<string, unknown>) => {
    const res = await call(t.url, 'POST', '/v1/preview', { key, body });
    if (res.status !== 202) return { res, job: null as any };
    return { res, job: await waitForJob(t.url, key, res.body.job_id as string, 90_000) };
  };

  it('a thumbnail: one frame at the time asked, at the width asked, in the format asked', async () => {
    const acct = await t.account(5);
    const { res, job } = await preview(acct.key, { url: media('direct.mp4'), type: 'thumbnail', timestamp: 2, width: 320, format: 'png' });
    expect([res.status, res.body.credits_charged]).toEqual([202, 1]);
    expect(job).toMatchObject({ status: 'completed', credits_refunded: 0 });
    expect(job.result).toMatchObject({ type: 'thumbnail', format: 'png', timestamp: 2, width: 320, height: 180, source: { width: 640, height: 360 } });
    expect(job.result.files).toEqual([expect.objectContaining({ kind: 'image', content_type: 'image/png', width: 320, height: 180 })]);
    const probe = await probeFile(job.result.files[0].url);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'png', width: 320, height: 180 });
    // Default time and format: a quarter in, JPEG at the source's size.
    const { job: byDefault } = await preview(acct.key, { url: media('direct.mp4'), type: 'thumbnail' });
    expect(byDefault.result).toMatchObject({ timestamp: 1.5, format: 'jpg', width: 640, height: 360 });
    expect((await probeFile(byDefault.result.files[0].url)).streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 640, height: 360 });
  }, 120_000);

  it('a thumbnail whose time is given is one ffmpeg, no ffprobe first: the media is still described; a portrait video stays portrait; a page under a media name fails, refunded', async () => {
    const acct = await t.account(5);
    const { job } = await preview(acct.key, { url: `${siteUrl}/portrait.mp4`, type: 'thumbnail', timestamp: 2, width: 180 });
    expect(job).toMatchObject({ status: 'completed', result: { timestamp: 2, width: 180, height: 320, source: { width: 640, height: 360 } } });
    expect(job.result.source.duration).toBeCloseTo(6, 1);
    expect(job.result.source.bytes_read).toBeGreaterThan(0);
    expect((await probeFile(job.result.files[0].url)).streams[0]).toMatchObject({ width: 180, height: 320 });
    const { job: natural } = await preview(acct.key, { url: `${siteUrl}/portrait.mp4`, type: 'thumbnail', timestamp: 2 });
    expect((await probeFile(natural.result.files[0].url)).streams[0]).toMatchObject({ width: natural.result.width, height: natural.result.height });
    expect([natural.result.width, natural.result.height]).toEqual([360, 640]);

    const { res, job: page } = await preview(acct.key, { url: `${siteUrl}/page.mp4`, type: 'thumbnail', timestamp: 1 });
    if (res.status === 202) {
      expect(page).toMatchObject({ status: 'failed', credits_refunded: page.credits_charged, error: { code: 'media_unavailable' }, result: null });
    } else expect([res.status, res.body.code]).toEqual([422, 'media_unavailable']);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(3);
  }, 120_000);

  it('a GIF with its own palette, looping, about fps × duration frames; and as a silent MP4', async () => {
    const acct = await t.account(5);
    const { job } = await preview(acct.key, { url: media('direct.mp4'), type: 'gif', start: 1, duration: 2, fps: 10, width: 200 });
    expect(job.result).toMatchObject({ type: 'gif', format: 'gif', start: 1, duration: 2, fps: 10, frames: 20, width: 200, height: 112 });
    const gif = await probeFile(job.result.files[0].url, true);
    expect(gif.streams[0]).toMatchObject({ codec_name: 'gif', width: 200, height: 112 });
    expect(Math.abs(Number(gif.streams[0]!.nb_read_frames) - 20)).toBeLessThanOrEqual(1);
    // NETSCAPE2.0 application extension with loop count 0: loops for ever.
    expect(gif.bytes.includes(Buffer.from('NETSCAPE2.0'))).toBe(true);
    expect(job.result.files[0]).toMatchObject({ kind: 'animation', content_type: 'image/gif' });

    const { job: mp4 } = await preview(acct.key, { url: media('direct.mp4'), type: 'gif', start: 1, duration: 2, format: 'mp4' });
    const probe = await probeFile(mp4.result.files[0].url);
    expect(probe.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 480, height: 270 });
    expect(Number(probe.format.duration)).toBeCloseTo(2, 0);
  }, 120_000);

  it('a mosaic: columns × rows frames spread evenly over the media in one picture', async () => {
    const acct = await t.account(5);
    const { job } = await preview(acct.key, { url: media('direct.mp4'), type: 'mosaic', columns: 3, rows: 2, width: 600, format: 'webp' });
    expect(job.result).toMatchObject({ columns: 3, rows: 2, tile_width: 200, tile_height: 112, width: 600, height: 224, timestamps: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5] });
    const probe = await probeFile(job.result.files[0].url);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'webp', width: 600, height: 224 });
  }, 120_000);

  it('a clip: exact starts on the frame asked; fast copies from the keyframe before and says where it started', async () => {
    const acct = await t.account(5);
    const { job: exact } = await preview(acct.key, { url: media('direct.mp4'), type: 'clip', start: 1.3, duration: 2 });
    expect(exact.result).toMatchObject({ precision: 'exact', start: 1.3, requested_start: 1.3, width: 640, height: 360 });
    const e = await probeFile(exact.result.files[0].url);
    expect(e.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort()).toEqual(['audio:aac', 'video:h264']);
    // Within one frame (25 fps) of what was asked.
    expect(Math.abs(Number(e.streams.find((s) => s.codec_type === 'video')!.duration) - 2)).toBeLessThanOrEqual(0.041);

    const { job: fast } = await preview(acct.key, { url: media('direct.mp4'), type: 'clip', start: 1.3, duration: 2, precision: 'fast' });
    // The fixture has a keyframe every second.
    expect(fast.result).toMatchObject({ precision: 'fast', start: 1, requested_start: 1.3 });
    const f = await probeFile(fast.result.files[0].url);
    expect(f.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Number(f.streams.find((s) => s.codec_type === 'video')!.duration)).toBeGreaterThanOrEqual(2.2);

    const { job: webm } = await preview(acct.key, { url: media('direct.mp4'), type: 'clip', start: 0, duration: 1, format: 'webm', precision: 'fast' });
    // h264 does not fit WebM: re-encoded, and the result says so.
    expect(webm.result).toMatchObject({ precision: 'exact', format: 'webm' });
    expect((await probeFile(webm.result.files[0].url)).streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp9']);
  }, 180_000);

  it('a storyboard: sprite sheets and a WebVTT whose cues point inside them, with links that work', async () => {
    const acct = await t.account(5);
    const { job } = await preview(acct.key, { url: media('direct.mp4'), type: 'storyboard', interval: 1 });
    expect(job.result).toMatchObject({ interval: 1, frames: 6, sheets: 1, columns: 6, rows: 1, tile_width: 160, tile_height: 90 });
    const [track, sheet] = job.result.files;
    expect(track).toMatchObject({ kind: 'vtt', content_type: 'text/vtt' });
    expect(sheet).toMatchObject({ kind: 'image', content_type: 'image/jpeg', width: 960, height: 90 });
    const vtt = await (await fetch(track.url)).text();
    const cues = [...vtt.matchAll(/(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)/g)];
    expect(cues.map((c) => c[1])).toEqual(['00:00:00.000', '00:00:01.000', '00:00:02.000', '00:00:03.000', '00:00:04.000', '00:00:05.000']);
    expect(cues.at(-1)![2]).toBe('00:00:06.000');
    for (const c of cues) {
      const [x, y, w, h] = c.slice(4, 8).map(Number) as [number, number, number, number];
      expect(x + w).toBeLessThanOrEqual(960);
      expect(y + h).toBeLessThanOrEqual(90);
    }
    // The sheet the cues name is served (players fetch it as the WebVTT says).
    const probe = await probeFile(cues[0]![3]!);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 960, height: 90 });
  }, 120_000);

  it('a dense storyboard decodes once and spreads its frames over several sheets', async () => {
    const acct = await t.account(5);
    const { job } = await preview(acct.key, { url: `${siteUrl}/ten-minutes-360p.mp4`, type: 'storyboard', interval: 5, tile_width: 96 });
    expect(job.result).toMatchObject({ interval: 5, frames: 120, sheets: 2, columns: 10, rows: 10, tile_width: 96, tile_height: 54 });
    const [track, first, second] = job.result.files;
    expect([first.width, first.height, second.width, second.height]).toEqual([960, 540, 960, 540]);
    const vtt = await (await fetch(track.url)).text();
    const refs = [...vtt.matchAll(/\n(\S+)#xywh=(\d+),(\d+),(\d+),(\d+)/g)];
    expect(refs).toHaveLength(120);
    // Frame 101 is the first tile of the second sheet.
    expect(refs[100]![1]).not.toBe(refs[99]![1]);
    expect(refs[100]!.slice(2).map(Number)).toEqual([0, 0, 96, 54]);
    expect(refs[119]!.slice(2).map(Number)).toEqual([864, 54, 96, 54]);
    expect((await probeFile(refs[100]![1]!)).streams[0]).toMatchObject({ width: 960, height: 540 });
  }, 180_000);

  it('a waveform of an audio-only source: peaks in 0–1, one per pixel, and its picture; silence is flat', async () => {
    const acct = await t.account(5);
    const { job } = await preview(acct.key, { url: media('speech.m4a'), type: 'waveform', width: 200, height: 80, color: '#ff0000' });
    expect(job.result).toMatchObject({ type: 'waveform', format: 'png', width: 200, height: 80 });
    const peaks = job.result.peaks as number[];
    expect(peaks).toHaveLength(200);
    expect(peaks.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(Math.max(...peaks)).toBeGreaterThan(0.1);
    expect((await probeFile(job.result.files[0].url)).streams[0]).toMatchObject({ codec_name: 'png', width: 200, height: 80 });

    const { job: quiet } = await preview(acct.key, { url: `${siteUrl}/silence.m4a`, type: 'waveform', width: 50, format: 'svg' });
    expect((quiet.result.peaks as number[]).every((p) => p < 0.01)).toBe(true);
    const svg = await (await fetch(quiet.result.files[0].url)).text();
    expect(svg.startsWith('<svg')).toBe(true);
    expect(quiet.result.files[0]).toMatchObject({ content_type: 'image/svg+xml' });
  }, 120_000);

  it('an upload as the source; an HLS stream (fetched first); a picture of a sound is refused at run time and refunded', async () => {
    const acct = await t.account(5);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(readFileSync(path.join(FIXTURES, 'direct.mp4')))], { type: 'video/mp4' }), 'clip.mp4');
    const up = (await (await fetch(`${t.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${acct.key}` }, body: form })).json()) as { upload_id: string };
    const { res, job } = await preview(acct.key, { upload_id: up.upload_id, type: 'thumbnail', timestamp: 4, width: 160 });
    expect(res.status).toBe(202);
    expect(job.result).toMatchObject({ timestamp: 4, width: 160, height: 90 });

    const { job: hls } = await preview(acct.key, { url: media('master.m3u8'), type: 'thumbnail', width: 320 });
    expect(hls).toMatchObject({ status: 'completed' });
    expect((await probeFile(hls.result.files[0].url)).streams[0]).toMatchObject({ width: 320, height: 180 });

    const audioForm = new FormData();
    audioForm.append('file', new Blob([new Uint8Array(readFileSync(path.join(FIXTURES, 'speech.m4a')))], { type: 'audio/mp4' }), 'speech.m4a');
    const audio = (await (await fetch(`${t.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${acct.key}` }, body: audioForm })).json()) as { upload_id: string };
    const { job: failed } = await preview(acct.key, { upload_id: audio.upload_id, type: 'thumbnail' });
    expect(failed).toMatchObject({ status: 'failed', credits_charged: 1, credits_refunded: 1, error: { code: 'media_unavailable' } });
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(3);
  }, 180_000);

  it('refuses every field out of its type or range before any charge, naming the field', async () => {
    const acct = await t.account(3);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'thumbnail', fps: 10 }, 'fps'],
      [{ type: 'thumbnail', width: 5000 }, 'width'],
      [{ type: 'gif', duration: 20 }, 'duration'],
      [{ type: 'gif', fps: 60 }, 'fps'],
      [{ type: 'mosaic', columns: 11 }, 'columns'],
      [{ type: 'mosaic', format: 'gif' }, 'format'],
      [{ type: 'clip', duration: 61 }, 'duration'],
      [{ type: 'storyboard', tile_width: 20 }, 'tile_width'],
      [{ type: 'waveform', color: 'red' }, 'color'],
      [{ type: 'thumbnail', timestamp: 7 }, 'timestamp'],
      [{ type: 'gif', start: 6.5 }, 'start'],
      [{ type: 'preview' }, 'type'],
    ];
    for (const [body, field] of cases) {
      const res = await call(t.url, 'POST', '/v1/preview', { key: acct.key, body: { url: media('direct.mp4'), ...body } });
      expect([JSON.stringify(body), res.status, res.body.code]).toEqual([JSON.stringify(body), 422, 'validation_failed']);
      expect((res.body.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
    }
    const both = await call(t.url, 'POST', '/v1/preview', { key: acct.key, body: { type: 'thumbnail', url: media('direct.mp4'), upload_id: '00000000-0000-4000-8000-000000000000' } });
    expect([both.status, both.body.code]).toEqual([422, 'validation_failed']);
    const audio = await call(t.url, 'POST', '/v1/preview', { key: acct.key, body: { type: 'mosaic', url: media('speech.m4a') } });
    expect([audio.status, audio.body.code]).toEqual([422, 'media_unavailable']);
    expect((await call(t.url, 'GET', '/v1/account', { key: acct.key })).body.balance).toBe(3);
  }, 60_000);

  it('reads only what it needs of a ten-minute file: a thumbnail in the middle < 10 %, a 4 × 4 mosaic < 25 %', async () => {
    const acct = await t.account(5);
    const url = `${siteUrl}/ten-minutes-360p.mp4`;
    // What /v1/info reads at submit (yt-dlp, ffprobe) is shared and cached; the job's own reads are counted.
    expect((await call(t.url, 'POST', '/v1/info', { key: acct.key, body: { url } })).status).toBe(200);
    sent.clear();
    const { job } = await preview(acct.key, { url, type: 'thumbnail', timestamp: 300 });
    expect(job).toMatchObject({ status: 'completed' });
    const thumbnailSent = sent.get('ten-minutes-360p.mp4') ?? 0;
    // What ffmpeg and ffprobe read (their own statistics), and what the site handed to the network
    // for it, which is more: a reader that hangs up leaves what the kernel had buffered unread.
    const thumbnailRead = job.result.source.bytes_read as number;
    expect(thumbnailRead).toBeGreaterThan(0);
    expect(thumbnailRead).toBeLessThanOrEqual(thumbnailSent);
    expect(thumbnailRead / longBytes).toBeLessThan(0.1);

    sent.clear();
    const { job: sheet } = await preview(acct.key, { url, type: 'mosaic' });
    expect(sheet.result).toMatchObject({ columns: 4, rows: 4, width: 1280 });
    const mosaicSent = sent.get('ten-minutes-360p.mp4') ?? 0;
    const mosaicRead = sheet.result.source.bytes_read as number;
    expect(mosaicRead).toBeLessThanOrEqual(mosaicSent);
    expect(mosaicRead / longBytes).toBeLessThan(0.25);
    const pct = (n: number) => `${((100 * n) / longBytes).toFixed(1)} %`;
    console.log(
      `ten-minute file ${longBytes} B: thumbnail read ${thumbnailRead} B (${pct(thumbnailRead)}; site sent ${pct(thumbnailSent)}), ` +
        `mosaic read ${mosaicRead} B (${pct(mosaicRead)}; site sent ${pct(mosaicSent)})`,
    );
  }, 180_000);
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { call, media, startApp, waitForJob, type TestApp } from './support/app.js';

const DIR = path.resolve('test/.fixtures');
// A picture that changes every second and a tone whose pitch wanders without repeating.
const CHIRP = "aevalsrc=0.5*sin(2*PI*(400*t-214.3*cos(0.7*t)-76.9*cos(1.3*t))):s=44100";
const FIXTURES: Record<string, string[]> = {
  'fp-src.mp4': ['-f', 'lavfi', '-i', 'testsrc2=s=640x360:rate=25', '-f', 'lavfi', '-i', CHIRP, '-t', '24', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest'],
  'fp-small.mp4': ['-i', 'fp-src.mp4', '-vf', 'scale=320:180', '-c:v', 'libx264', '-crf', '35', '-preset', 'ultrafast', '-c:a', 'aac', '-b:a', '48k'],
  'fp-crop.mp4': ['-i', 'fp-src.mp4', '-vf', 'crop=iw*0.95:ih*0.95,scale=640:360', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'copy'],
  'fp-logo.mp4': ['-i', 'fp-src.mp4', '-vf', 'drawbox=x=20:y=20:w=80:h=40:color=white@0.9:t=fill,drawtext=text=LIVE:x=w-80:y=h-40:fontsize=24:fontcolor=yellow', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'copy'],
  'fp-cut.mp4': ['-ss', '7', '-i', 'fp-src.mp4', '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'],
  'fp-mute.mp4': ['-i', 'fp-src.mp4', '-an', '-c:v', 'copy'],
  'fp-audio.m4a': ['-i', 'fp-src.mp4', '-vn', '-c:a', 'aac', '-b:a', '64k'],
  'fp-other.mp4': ['-f', 'lavfi', '-i', 'mandelbrot=s=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:beep_factor=4', '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest'],
};

describe('fingerprints: per-second video hashes and Chromaprint, compared and searched', () => {
  let t: TestApp;
  const jobs: Record<string, any> = {};
  let acct: { id: string; key: string };

  beforeAll(async () => {
    mkdirSync(DIR, { recursive: true });
    for (const [name, args] of Object.entries(FIXTURES)) {
      const file = path.join(DIR, name);
      if (existsSync(file)) continue;
      execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, `part.${name}`], { cwd: DIR });
      renameSync(path.join(DIR, `part.${name}`), file);
    }
    t = await startApp();
    acct = await t.account(20);
    // Every fixture fingerprinted once, at the same time.
    const accepted = await Promise.all(
      Object.keys(FIXTURES).map(async (name) => [name, await call(t.url, 'POST', '/v1/fingerprint', { key: acct.key, body: { url: media(name) } })] as const),
    );
    for (const [name, res] of accepted) {
      expect([name, res.status, res.body.credits_charged]).toEqual([name, 202, 1]);
      jobs[name] = await waitForJob(t.url, acct.key, res.body.job_id, 120_000);
      expect([name, jobs[name].status]).toEqual([name, 'completed']);
    }
  }, 300_000);
  afterAll(async () => t.close());

  const compare = async (a: unknown, b: unknown, key = acct.key) => call(t.url, 'POST', '/v1/fingerprint/compare', { key, body: { a, b } });
  const idOf = (name: string) => jobs[name].id as string;

  it('keeps a hash per second and the audio’s Chromaprint, versioned', () => {
    const r = jobs['fp-src.mp4'].result;
    expect(r.duration).toBeCloseTo(24, 0);
    expect(r.video).toMatchObject({ algorithm: 'phash-dct-64', version: 1, interval: 1 });
    expect(r.video.hashes).toHaveLength(24);
    expect(r.video.hashes.every((h: string) => /^[0-9a-f]{16}$/.test(h))).toBe(true);
    expect(r.audio).toMatchObject({ algorithm: 'chromaprint', version: 1 });
    // About eight items a second, four bytes each.
    expect(Buffer.from(r.audio.fingerprint, 'base64').length / 4 / 24).toBeGreaterThan(7);
    expect(jobs['fp-mute.mp4'].result.audio).toBeNull();
    expect(jobs['fp-audio.m4a'].result.video).toBeNull();
  });

  it('finds re-encoded, smaller, cropped and overlaid copies at offset 0', async () => {
    for (const copy of ['fp-small.mp4', 'fp-crop.mp4', 'fp-logo.mp4']) {
      const res = await compare(idOf('fp-src.mp4'), idOf(copy));
      expect([copy, res.status, res.body.offset_seconds]).toEqual([copy, 200, 0]);
      expect(res.body.similarity).toBeGreaterThanOrEqual(0.8);
      expect(res.body.compared_on).toEqual(['video', 'audio']);
      expect(res.body.audio.offset_seconds).toBeCloseTo(0, 0);
    }
  });

  it('finds a 10-second excerpt at its offset, covering it whole and 10/24 of the source', async () => {
    const res = await compare(idOf('fp-src.mp4'), idOf('fp-cut.mp4'));
    expect(res.body).toMatchObject({ offset_seconds: 7 });
    expect(res.body.b_coverage).toBeGreaterThanOrEqual(0.9);
    expect(res.body.a_coverage).toBeGreaterThan(0.35);
    expect(res.body.a_coverage).toBeLessThan(0.45);
    expect(res.body.matches[0]).toMatchObject({ a_start: 7, b_start: 0 });
    expect(res.body.audio.offset_seconds).toBeCloseTo(7, 0);
    // The other way round: a starts inside b.
    expect((await compare(idOf('fp-cut.mp4'), idOf('fp-src.mp4'))).body.offset_seconds).toBe(-7);
  });

  it('scores unrelated media near 0; compares on what both sides have and says so', async () => {
    const other = await compare(idOf('fp-src.mp4'), idOf('fp-other.mp4'));
    expect(other.body.similarity).toBeLessThan(0.2);
    const mute = await compare(idOf('fp-src.mp4'), idOf('fp-mute.mp4'));
    expect(mute.body).toMatchObject({ compared_on: ['video'], audio: null, offset_seconds: 0 });
    const audio = await compare(idOf('fp-src.mp4'), idOf('fp-audio.m4a'));
    expect(audio.body).toMatchObject({ compared_on: ['audio'], video: null });
    expect(audio.body.similarity).toBeGreaterThanOrEqual(0.5);
    expect(audio.body.offset_seconds).toBeCloseTo(0, 0);
    // A fingerprint object as a job returned it compares like its job.
    const inline = await compare(jobs['fp-src.mp4'].result, idOf('fp-small.mp4'));
    expect(inline.body.similarity).toBe((await compare(idOf('fp-src.mp4'), idOf('fp-small.mp4'))).body.similarity);
  });

  it('searches the account’s library only: copies and excerpts, best first, never another account’s', async () => {
    const res = await call(t.url, 'POST', '/v1/fingerprint/search', { key: acct.key, body: { job_id: idOf('fp-src.mp4'), limit: 10, min_similarity: 0.5 } });
    expect(res.status).toBe(200);
    const found = new Map((res.body.matches as Array<{ job_id: string; offset_seconds: number; similarity: number }>).map((m) => [m.job_id, m]));
    for (const copy of ['fp-small.mp4', 'fp-crop.mp4', 'fp-logo.mp4', 'fp-cut.mp4', 'fp-mute.mp4']) expect([copy, found.has(idOf(copy))]).toEqual([copy, true]);
    expect(found.has(idOf('fp-other.mp4'))).toBe(false);
    expect(found.has(idOf('fp-src.mp4'))).toBe(false);
    expect(found.get(idOf('fp-cut.mp4'))!.offset_seconds).toBe(7);
    expect(res.body.matches[0].source.url).toMatch(/\/fp-/);

    const stranger = await t.account(5);
    const theirs = await call(t.url, 'POST', '/v1/fingerprint/search', { key: stranger.key, body: { fingerprint: jobs['fp-src.mp4'].result } });
    expect([theirs.status, theirs.body.matches]).toEqual([200, []]);
    expect((await compare(idOf('fp-src.mp4'), idOf('fp-small.mp4'), stranger.key)).body.code).toBe('not_found');
  });

  it('refuses what is not a fingerprint with the field named, and forgets a deleted job', async () => {
    const bad = await compare({ video: { algorithm: 'phash-dct-64', version: 1, interval: 1, hashes: ['00ff', null] } }, idOf('fp-src.mp4'));
    expect([bad.status, bad.body.code, bad.body.errors[0].field]).toEqual([422, 'validation_failed', 'a.video.hashes[0]']);
    expect((await compare('not-an-id', idOf('fp-src.mp4'))).status).toBe(404);
    expect((await call(t.url, 'POST', '/v1/fingerprint/search', { key: acct.key, body: {} })).status).toBe(422);

    expect((await call(t.url, 'DELETE', `/v1/jobs/${idOf('fp-crop.mp4')}`, { key: acct.key })).status).toBe(200);
    expect((await compare(idOf('fp-src.mp4'), idOf('fp-crop.mp4'))).status).toBe(404);
    const res = await call(t.url, 'POST', '/v1/fingerprint/search', { key: acct.key, body: { job_id: idOf('fp-src.mp4') } });
    expect((res.body.matches as Array<{ job_id: string }>).some((m) => m.job_id === idOf('fp-crop.mp4'))).toBe(false);
    const [{ n }] = (await t.db.query('SELECT count(*)::int AS n FROM fingerprint_frames WHERE job_id = $1', [idOf('fp-crop.mp4')])) as Array<{ n: number }>;
    expect(n).toBe(0);
  });
});

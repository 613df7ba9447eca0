import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import S3rver from 's3rver';
import { call, freePort, startApp, waitForJob, media, type TestApp } from './support/app.js';

const FIXTURES = path.resolve('test/.fixtures');
const BUCKET = 'mediary-test';
const sha256 = (b: Buffer | Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('STORAGE_DRIVER=s3 against an S3 server on 127.0.0.1 (s3rver)', () => {
  let s3rver: S3rver;
  let t: TestApp;
  let client: S3Client;
  beforeAll(async () => {
    const port = await freePort();
    s3rver = new S3rver({ port, address: '127.0.0.1', silent: true, directory: mkdtempSync(path.join(os.tmpdir(), 's3rver-')), configureBuckets: [{ name: BUCKET, configs: [] }] });
    await s3rver.run();
    const endpoint = `http://127.0.0.1:${port}`;
    t = await startApp({
      STORAGE_DRIVER: 's3', S3_BUCKET: BUCKET, S3_ENDPOINT: endpoint, S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER', S3_FORCE_PATH_STYLE: 'true',
    });
    client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  });
  afterAll(async () => {
    client.destroy();
    await t.close();
    await s3rver.close();
  });

  const objectBytes = async (key: string) => {
    const res = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await (res.Body as Readable & { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  };
  const keys = async (prefix: string) =>
    ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

  it('stores a download in the bucket and hands out a presigned link to the exact bytes', async () => {
    const acct = await t.account(5);
    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { url: media('direct.mp4') } });
    const job = await waitForJob(t.url, acct.key, res.body.job_id);
    expect(job.status).toBe('completed');
    const file = job.result.files[0];
    expect(file.url).toContain('X-Amz-Signature=');
    expect(file.url).toContain(BUCKET);
    const fetched = Buffer.from(await (await fetch(file.url)).arrayBuffer());
    expect(sha256(fetched)).toBe(sha256(readFileSync(path.join(FIXTURES, 'direct.mp4'))));
    const stored = await keys(`outputs/${acct.id}/${job.id}/`);
    expect(stored).toEqual([`outputs/${acct.id}/${job.id}/1/direct.mp4`]);

    const del = await call(t.url, 'DELETE', `/v1/jobs/${job.id}`, { key: acct.key });
    expect(del.body.result.outputs_deleted).toBe(true);
    expect(await keys(`outputs/${acct.id}/${job.id}/`)).toEqual([]);
  });

  it('streams an upload into the bucket (multipart for large files) and converts it from there', async () => {
    const acct = await t.account(5);
    // 20 MB: more than two 8 MiB parts.
    const bytes = Buffer.concat([readFileSync(path.join(FIXTURES, 'direct.mp4')), Buffer.alloc(20 * 1024 * 1024, 7)]);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type: 'video/mp4' }), 'clip.mp4');
    const up = await fetch(`${t.url}/v1/uploads`, { method: 'POST', headers: { authorization: `Bearer ${acct.key}` }, body: form });
    expect(up.status).toBe(201);
    const upload = (await up.json()) as { upload_id: string; size: number };
    expect(upload.size).toBe(bytes.length);
    const key = `uploads/${acct.id}/${upload.upload_id}/clip.mp4`;
    expect(sha256(await objectBytes(key))).toBe(sha256(bytes));

    const res = await call(t.url, 'POST', '/v1/download', { key: acct.key, body: { upload_id: upload.upload_id, format: 'm4a' } });
    const job = await waitForJob(t.url, acct.key, res.body.job_id);
    expect(job.status).toBe('completed');
    const out = Buffer.from(await (await fetch(job.result.files[0].url)).arrayBuffer());
    expect(out.length).toBe(job.result.files[0].size);
    expect(sha256(out)).toBe(sha256(await objectBytes(`outputs/${acct.id}/${job.id}/1/clip.m4a`)));
    expect(await keys(key)).toEqual([key]); // the upload is still there for the next job
  });
});

import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { contentDisposition } from '../filenames.js';
import { signedUrl } from '../http/signing.js';

/** A stored output as a client will fetch it. */
export interface LinkRequest {
  key: string;
  filename: string;
  contentType: string;
  expiresAt: Date;
  /** The API path that serves the object when storage is local (signed with SIGNING_SECRET). */
  apiPath: string;
}

interface StorageDriver {
  /** Stores a local file under `key` (the file is left in place); returns its size. */
  put(key: string, file: string, contentType: string): Promise<number>;
  /** A local path holding the object: the object itself (local) or a copy made in `dir` (S3). */
  materialize(key: string, dir: string): Promise<string | null>;
  link(req: LinkRequest): Promise<string>;
  deletePrefix(prefix: string): Promise<void>;
}

/**
 * Where outputs and uploads live: a local directory served by the API at signed URLs, or an S3
 * bucket with presigned links. Work always happens in a local scratch directory; only finished
 * files are stored, streamed (multipart to S3), never read whole into memory.
 */
@Injectable()
export class StorageRepository implements OnModuleDestroy {
  private readonly root: string;
  private readonly driver: StorageDriver;
  private readonly local: LocalDriver;

  constructor(@Inject(CONFIG) config: Config) {
    this.root = path.resolve(config.storage.dir);
    this.local = new LocalDriver(this.root, config);
    this.driver = config.storage.driver === 's3' ? new S3Driver(config) : this.local;
  }

  get isLocal(): boolean {
    return this.driver === this.local;
  }

  /** An empty scratch directory for one job's work (under STORAGE_DIR whichever the driver). */
  async workDir(name: string): Promise<string> {
    const dir = path.join(this.root, 'work', name);
    // A storage root that cannot be written (read-only, missing, full) fails the work, not the caller.
    const unwritable = (err: Error) => {
      throw new AppError('storage_unavailable', `The storage cannot be written: ${err.message}`);
    };
    // mkdir names the first directory it created: nothing when `dir` was left behind (a crashed attempt).
    if ((await mkdir(dir, { recursive: true }).catch(unwritable)) === undefined) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true }).catch(unwritable);
    }
    return dir;
  }

  /**
   * Starts writing a finished scratch file's data to disk (fdatasync, in the background) ahead
   * of `putFile`, which will move it (local storage). The database commit that follows the
   * store otherwise waits behind the file's dirty pages when they share an ext4 filesystem
   * (~50 ms after a 100 MB download). Nobody waits for it and its errors are ignored: it only
   * moves I/O earlier, beside other work. Nothing to do with S3, which gets the bytes by upload.
   */
  writeBehind(file: string): void {
    if (!this.isLocal) return;
    void open(file, 'r')
      .then((handle) => handle.datasync().finally(() => handle.close()))
      .catch(() => undefined);
  }

  async removeWorkDir(name: string): Promise<void> {
    await rm(path.join(this.root, 'work', name), { recursive: true, force: true });
  }

  /**
   * Removes up to `limit` scratch directories untouched for `olderThanMs`: what attempts whose
   * process died left behind (a finished attempt removes its own). Returns their names.
   */
  async removeStaleWorkDirs(olderThanMs: number, limit: number): Promise<string[]> {
    const work = path.join(this.root, 'work');
    const removed: string[] = [];
    for (const name of await readdir(work).catch(() => [] as string[])) {
      if (removed.length >= limit) break;
      const dir = path.join(work, name);
      const info = await stat(dir).catch(() => null);
      if (!info || Date.now() - info.mtimeMs < olderThanMs) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  /** Stores a finished local file under `key` and removes it (unless `keepSource`); returns its size. */
  async putFile(key: string, source: string, opts: { keepSource?: boolean; contentType?: string } = {}): Promise<number> {
    if (this.isLocal && !opts.keepSource) return this.local.move(key, source);
    const size = await this.driver.put(key, source, opts.contentType ?? 'application/octet-stream');
    if (!opts.keepSource) await unlink(source);
    return size;
  }

  materialize(key: string, dir: string): Promise<string | null> {
    return this.driver.materialize(key, dir);
  }

  link(req: LinkRequest): Promise<string> {
    return this.driver.link(req);
  }

  /** The object on local disk, for the API to serve; null with S3 (clients use presigned links). */
  localPath(key: string): Promise<string | null> {
    return this.isLocal ? this.local.existing(key) : Promise.resolve(null);
  }

  deletePrefix(prefix: string): Promise<void> {
    return this.driver.deletePrefix(prefix);
  }

  onModuleDestroy(): void {
    if (this.driver instanceof S3Driver) this.driver.destroy();
  }
}

class LocalDriver implements StorageDriver {
  constructor(
    private readonly root: string,
    private readonly config: Config,
  ) {}

  resolve(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new Error(`storage key escapes the root: ${key}`);
    return full;
  }

  async existing(key: string): Promise<string | null> {
    const file = this.resolve(key);
    try {
      return (await stat(file)).isFile() ? file : null;
    } catch {
      return null;
    }
  }

  async put(key: string, file: string): Promise<number> {
    const target = this.resolve(key);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(file, target);
    return (await stat(target)).size;
  }

  /** A rename when scratch and storage share a filesystem (they do by default). */
  async move(key: string, source: string): Promise<number> {
    const target = this.resolve(key);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(source, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(source, target);
      await unlink(source);
    }
    return (await stat(target)).size;
  }

  materialize(key: string): Promise<string | null> {
    return this.existing(key);
  }

  async link(req: LinkRequest): Promise<string> {
    return signedUrl(this.config.publicBaseUrl, this.config.signingSecret, req.apiPath, req.expiresAt.getTime() / 1000);
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.resolve(prefix), { recursive: true, force: true });
  }
}

/** Presigned GET links last at most a week (SigV4); outputs are kept no longer than that. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

class S3Driver implements StorageDriver {
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(config: Config) {
    const s3 = config.storage.s3!;
    this.bucket = s3.bucket;
    this.client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: s3.forcePathStyle,
      credentials: s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
      // Checksums only where S3 requires them: with the default, some S3-compatible servers
      // store a streamed body's aws-chunked framing instead of the bytes.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(key: string, file: string, contentType: string): Promise<number> {
    const size = (await stat(file)).size;
    // Multipart in 8 MiB parts, four at a time: memory stays bounded whatever the file size.
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: createReadStream(file), ContentType: contentType, ContentLength: size },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
    }).done();
    return size;
  }

  async materialize(key: string, dir: string): Promise<string | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const target = path.join(dir, path.basename(key));
      await pipeline(res.Body as Readable, createWriteStream(target));
      return target;
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchKey') return null;
      throw err;
    }
  }

  link(req: LinkRequest): Promise<string> {
    const seconds = Math.max(1, Math.min(MAX_PRESIGN_SECONDS, Math.floor((req.expiresAt.getTime() - Date.now()) / 1000)));
    return getSignedUrl(
      this.client,
      new GetObjectCommand({ Bucket: this.bucket, Key: req.key, ResponseContentDisposition: contentDisposition(req.filename), ResponseContentType: req.contentType }),
      { expiresIn: seconds },
    );
  }

  async deletePrefix(prefix: string): Promise<void> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length) await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  destroy(): void {
    this.client.destroy();
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { FfmpegRepository } from '../../platform/tools/ffmpeg.repository.js';
import { StorageRepository } from '../../platform/tools/storage.repository.js';
import { UploadRepository, type Upload } from './upload.repository.js';
import { safeFilename } from '../../platform/filenames.js';
import { UUID } from '../../platform/ids.js';


/** Demuxers that read other files or URLs named inside the input. */
const PLAYLIST_FORMATS = /(^|,)(hls|applehttp|concat|ffconcat|dash|image2|tty|hds|smoothstreaming|mpd)(,|$)/;

/** Passes bytes through until more than `room` have passed, then fails the stream with `error()`. */
function quota(room: number, error: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > room ? error() : null, chunk);
    },
  });
}

export interface IncomingFile {
  stream: Readable & { truncated?: boolean };
  filename: string;
  mimetype: string;
}

export interface UploadView {
  upload_id: string;
  filename: string;
  size: number;
  content_type: string;
  duration: number | null;
  created_at: string;
  expires_at: string;
}

/** Users' own files: streamed to storage (never held in memory), probed, owned, expiring. */
@Injectable()
export class UploadsService {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly uploads: UploadRepository,
    private readonly storage: StorageRepository,
    private readonly ffmpeg: FfmpegRepository,
  ) {}

  async accept(accountId: string, file: IncomingFile): Promise<UploadView> {
    const id = randomUUID();
    const room = this.config.limits.maxUploadStorageBytes - (await this.uploads.liveBytes(accountId));
    if (room <= 0) throw this.overQuota();
    const work = await this.storage.workDir(`upload-${id}`);
    try {
      const tmp = path.join(work, 'upload');
      await pipeline(file.stream, quota(room, () => this.overQuota()), createWriteStream(tmp)).catch((err: NodeJS.ErrnoException) => {
        // Ours (a file-system error, a limit) as it is; anything else came from the client's stream (ended early, malformed).
        if (err instanceof AppError || err.syscall || err.code === 'FST_REQ_FILE_TOO_LARGE') throw err;
        throw new AppError('validation_failed', `The upload ended early or is malformed: ${err.message}`);
      });
      if (file.stream.truncated) throw this.tooLarge();
      const probe = await this.ffmpeg.probe(tmp);
      if (!probe || (!probe.video && !probe.audio)) {
        throw new AppError('unsupported_media', 'The file is not audio or video that ffprobe can read');
      }
      // ffmpeg recognises playlists by their content, whatever the file is called: one would make
      // every later job read the files or URLs it names.
      if (PLAYLIST_FORMATS.test(probe.formatName)) throw new AppError('unsupported_media', 'Playlists and concat lists cannot be uploaded; upload the media itself');
      if (probe.duration !== null && probe.duration > this.config.limits.maxDurationSeconds) {
        throw new AppError('media_too_long', `The media is longer than ${this.config.limits.maxDurationSeconds} s`);
      }
      const ext = path.extname(file.filename).toLowerCase().replace(/[^.a-z0-9]/g, '').slice(0, 10);
      const filename = `${safeFilename(path.basename(file.filename, path.extname(file.filename)))}${ext}`;
      const key = `uploads/${accountId}/${id}/${filename}`;
      const contentType = file.mimetype && /^(audio|video)\//.test(file.mimetype) ? file.mimetype : 'application/octet-stream';
      const size = await this.storage.putFile(key, tmp, { contentType });
      const upload = await this.uploads.insert({
        id,
        accountId,
        filename,
        contentType,
        size,
        duration: probe.duration,
        storageKey: key,
        expiresAt: new Date(Date.now() + this.config.outputTtlSeconds * 1000),
      });
      return view(upload);
    } catch (err) {
      // @fastify/multipart ends an over-limit stream with its own 413 error.
      if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw this.tooLarge();
      throw err;
    } finally {
      await this.storage.removeWorkDir(`upload-${id}`);
    }
  }

  async get(accountId: string, id: string): Promise<UploadView> {
    return view(await this.owned(accountId, id));
  }

  /** An account's upload that has not expired; 404 otherwise (at submit). */
  async owned(accountId: string, id: string): Promise<Upload> {
    const upload = await this.live(accountId, id);
    if (!upload) throw new AppError('not_found', 'No such upload (or it has expired)');
    return upload;
  }

  /** The same, or null (for a job to read; it may have expired since submit). */
  live(accountId: string, id: string): Promise<Upload | null> {
    return UUID.test(id) ? this.uploads.findLive(accountId, id) : Promise.resolve(null);
  }

  async delete(accountId: string, id: string): Promise<void> {
    const upload = await this.owned(accountId, id);
    await this.storage.deletePrefix(path.dirname(upload.storageKey));
    await this.uploads.markDeleted(upload.id);
  }

  /**
   * Retention: uploads expire like outputs do (OUTPUT_TTL_HOURS after they were made, used by a
   * job or never), files and all; deleted in at most `batches` batches of `batchSize`. Returns how many.
   */
  async deleteExpired(batchSize: number, batches: number): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < batches; i++) {
      const expired = await this.uploads.expired(batchSize);
      for (const upload of expired) {
        await this.storage.deletePrefix(path.dirname(upload.storageKey));
        await this.uploads.markDeleted(upload.id);
      }
      deleted += expired.length;
      if (expired.length < batchSize) break;
    }
    return deleted;
  }

  private overQuota(): AppError {
    const mb = Math.round(this.config.limits.maxUploadStorageBytes / 1024 / 1024);
    return new AppError('file_too_large', `Your uploads would take more than your ${mb} MB of upload storage (MAX_UPLOAD_STORAGE_MB); delete some first`, { quota_mb: mb });
  }

  private tooLarge(): AppError {
    return new AppError('file_too_large', `Uploads are limited to ${Math.round(this.config.limits.maxUploadBytes / 1024 / 1024)} MB`);
  }
}

function view(u: Upload): UploadView {
  return {
    upload_id: u.id,
    filename: u.filename,
    size: u.size,
    content_type: u.contentType,
    duration: u.duration,
    created_at: u.createdAt.toISOString(),
    expires_at: u.expiresAt.toISOString(),
  };
}

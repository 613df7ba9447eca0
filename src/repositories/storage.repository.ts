import { Inject, Injectable } from '@nestjs/common';
import { createReadStream, type ReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { CONFIG, type Config } from '../config.js';

/**
 * Where outputs live. The `local` driver keeps them under STORAGE_DIR and the API serves them
 * at signed URLs; keys are relative paths like `outputs/<account>/<job>/<file>`.
 */
@Injectable()
export class StorageRepository {
  private readonly root: string;

  constructor(@Inject(CONFIG) config: Config) {
    this.root = path.resolve(config.storage.dir);
  }

  /** A scratch directory for one job's work, on the same filesystem as the outputs. */
  async workDir(name: string): Promise<string> {
    const dir = path.join(this.root, 'work', name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async removeWorkDir(name: string): Promise<void> {
    await rm(path.join(this.root, 'work', name), { recursive: true, force: true });
  }

  /** Moves a finished local file into storage under `key` (copies it with `keepSource`); returns its size. */
  async putFile(key: string, source: string, opts: { keepSource?: boolean } = {}): Promise<number> {
    const target = this.resolve(key);
    await mkdir(path.dirname(target), { recursive: true });
    if (opts.keepSource) {
      await copyFile(source, target);
      return (await stat(target)).size;
    }
    try {
      await rename(source, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyFile(source, target);
      await unlink(source);
    }
    return (await stat(target)).size;
  }

  /** Absolute path of a stored object, or null if it does not exist. */
  async localPath(key: string): Promise<string | null> {
    const file = this.resolve(key);
    try {
      return (await stat(file)).isFile() ? file : null;
    } catch {
      return null;
    }
  }

  openRead(key: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.resolve(key), range);
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.resolve(prefix), { recursive: true, force: true });
  }

  private resolve(key: string): string {
    const full = path.resolve(this.root, key);
    if (!full.startsWith(this.root + path.sep)) throw new Error(`storage key escapes the root: ${key}`);
    return full;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { AppError } from '../../errors.js';
import { parsePocketsphinx, pocketsphinxArgs } from './pocketsphinx-args.js';

import { ProcessRepository } from './process.repository.js';
import { type Word } from './speech-types.js';

/** Offline speech recognition with pocketsphinx (Debian's English model). */
@Injectable()
export class LocalSpeechRepository {
  readonly languages = ['en'];

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly process: ProcessRepository,
  ) {}

  /** Words with times from a 16 kHz mono WAV. */
  async recognize(wav: string, durationSeconds: number, signal: AbortSignal): Promise<Word[]> {
    // About 0.2× real time here; allow ten times that before calling it stuck.
    const timeoutMs = Math.max(60_000, durationSeconds * 2000);
    const res = await this.process.run(this.config.tools.pocketsphinx, pocketsphinxArgs(wav), {
      timeoutMs,
      signal,
      maxStdoutBytes: 64 * 1024 * 1024,
    });
    if (res.timedOut) throw new AppError('upstream_failed', 'Speech recognition took too long');
    if (res.exitCode !== 0 && !res.aborted) throw new Error(`pocketsphinx exited ${res.exitCode}: ${res.stderr.slice(-300)}`);
    return parsePocketsphinx(res.stdout);
  }
}

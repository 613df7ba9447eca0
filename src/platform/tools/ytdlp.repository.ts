import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { ProcessRepository, type RunResult } from './process.repository.js';

/** Runs yt-dlp. Command lines are built by pure functions (`*-args.ts`); this class only executes them. */
@Injectable()
export class YtdlpRepository {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly process: ProcessRepository,
  ) {}

  run(
    args: string[],
    opts: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void; maxStdoutBytes?: number },
  ): Promise<RunResult> {
    return this.process.run(this.config.tools.ytdlp, args, { maxStdoutBytes: 64 * 1024 * 1024, ...opts });
  }
}

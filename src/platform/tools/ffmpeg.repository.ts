import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';

import { ProcessRepository, type RunResult } from './process.repository.js';
import { parseFfmpegProgress, parseProbe, probeArgs, type ProbedMedia } from './ffprobe.js';

/** Runs ffmpeg and ffprobe; arguments are built by `utils/ffmpeg-args.ts`. */
@Injectable()
export class FfmpegRepository {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly process: ProcessRepository,
  ) {}

  /** ffprobe a local file or URL; null when it is not media ffprobe can read. */
  async probe(input: string, opts: { timeoutMs?: number; proxy?: string } = {}): Promise<ProbedMedia | null> {
    const args = probeArgs(input);
    if (opts.proxy) args.unshift('-http_proxy', opts.proxy);
    const res = await this.process.run(this.config.tools.ffprobe, args, { timeoutMs: opts.timeoutMs ?? 30_000 });
    return res.exitCode === 0 ? parseProbe(res.stdout) : null;
  }

  /** True when the loudest sample is below -50 dBFS (ffmpeg volumedetect). */
  async isSilent(input: string): Promise<boolean> {
    const res = await this.process.run(
      this.config.tools.ffmpeg,
      ['-hide_banner', '-nostdin', '-i', input, '-af', 'volumedetect', '-vn', '-f', 'null', '-'],
      { timeoutMs: 5 * 60_000 },
    );
    const max = /max_volume: (-?[\d.]+|-inf) dB/.exec(res.stderr)?.[1];
    return max === undefined || max === '-inf' || Number(max) < -50;
  }

  run(args: string[], opts: { timeoutMs: number; signal?: AbortSignal; onSeconds?: (s: number) => void; maxStdoutBytes?: number }): Promise<RunResult> {
    return this.process.run(this.config.tools.ffmpeg, args, {
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      maxStdoutBytes: opts.maxStdoutBytes ?? 64 * 1024,
      onLine: (line) => {
        const s = parseFfmpegProgress(line);
        if (s !== null) opts.onSeconds?.(s);
      },
    });
  }
}

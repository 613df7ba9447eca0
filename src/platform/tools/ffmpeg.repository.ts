import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { openFileHandoff } from './file-handoff.js';
import { ProcessRepository, type RunResult } from './process.repository.js';
import { bytesRead, isConfined, localInput, parseFfmpegProgress, parseProbe, probeArgs, type ProbedMedia } from './ffprobe.js';

/** A probe waiting for its file: see `FfmpegRepository.probeLater`. */
export interface PendingProbe {
  give(file: string): Promise<ProbedMedia | null>;
  cancel(): void;
}

/**
 * Runs ffmpeg and ffprobe with command lines built by pure functions; every input of every run is
 * confined (`localInput`, `remoteInput`), and a command line that is not is refused before it runs.
 */
@Injectable()
export class FfmpegRepository {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly process: ProcessRepository,
  ) {}

  /** ffprobe a local file or URL; null when it is not media ffprobe can read. `onBytesRead` learns what it read. */
  async probe(input: string, opts: { timeoutMs?: number; proxy?: string; signal?: AbortSignal; onBytesRead?: (bytes: number) => void } = {}): Promise<ProbedMedia | null> {
    const args = probeArgs(input, opts.proxy, opts.onBytesRead ? 'verbose' : 'error');
    const res = await this.process.run(this.config.tools.ffprobe, args, { timeoutMs: opts.timeoutMs ?? 30_000, signal: opts.signal });
    opts.onBytesRead?.(bytesRead(res.stderr));
    return res.exitCode === 0 ? parseProbe(res.stdout) : null;
  }

  /**
   * An ffprobe started now for a local file named later: it opens a loopback URL that serves
   * only that file (see file-handoff.ts) and waits, so its start-up — most of a probe's time: the
   * dynamic linking of ~200 libraries — overlaps the work that makes the file. `give` hands it
   * the file and resolves with its reading (null when it is not media); `cancel` ends it unused.
   * Null when no tool slot can be spared for the wait (`ProcessRepository.runBeside`): the
   * caller probes the file once it exists.
   */
  async probeLater(opts: { timeoutMs: number; signal?: AbortSignal }): Promise<PendingProbe | null> {
    const handoff = await openFileHandoff();
    const run = this.process.runBeside(this.config.tools.ffprobe, probeArgs(handoff.url, undefined, 'error'), { timeoutMs: opts.timeoutMs, signal: opts.signal });
    if (!run) {
      handoff.close();
      return null;
    }
    const reading = run.then((res) => (res.exitCode === 0 ? parseProbe(res.stdout) : null)).finally(() => handoff.close());
    void reading.catch(() => undefined); // observed by give, or never needed
    return {
      give: (file) => {
        handoff.give(file);
        return reading;
      },
      cancel: () => handoff.close(),
    };
  }

  /** ffprobe with a command line of the caller's (confined like ffmpeg's); its output. */
  probeWith(args: string[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<RunResult> {
    if (!isConfined(args)) return Promise.reject(new Error('ffprobe command line with an unconfined input (use localInput or remoteInput)'));
    return this.process.run(this.config.tools.ffprobe, args, { timeoutMs: opts.timeoutMs, signal: opts.signal, maxStdoutBytes: 1024 * 1024 });
  }

  /** True when the loudest sample is below -50 dBFS (ffmpeg volumedetect). */
  async isSilent(input: string): Promise<boolean> {
    const res = await this.process.run(
      this.config.tools.ffmpeg,
      ['-hide_banner', '-nostdin', ...localInput(input), '-af', 'volumedetect', '-vn', '-f', 'null', '-'],
      { timeoutMs: 5 * 60_000 },
    );
    const max = /max_volume: (-?[\d.]+|-inf) dB/.exec(res.stderr)?.[1];
    return max === undefined || max === '-inf' || Number(max) < -50;
  }

  run(args: string[], opts: { timeoutMs: number; signal?: AbortSignal; onSeconds?: (s: number) => void; maxStdoutBytes?: number }): Promise<RunResult> {
    if (!isConfined(args)) return Promise.reject(new Error('ffmpeg command line with an unconfined input (use localInput or remoteInput)'));
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

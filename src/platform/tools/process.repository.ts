import { Inject, Injectable, Logger } from '@nestjs/common';
import { spawn } from 'node:child_process';
import { CONFIG, type Config } from '../../config.js';
import { Semaphore } from '../concurrency.js';

export interface RunOptions {
  /** Kill the process (SIGTERM, then SIGKILL) after this long. */
  timeoutMs: number;
  /** Most bytes of stdout kept in `stdout`; lines still reach `onLine` past it. */
  maxStdoutBytes?: number;
  cwd?: string;
  signal?: AbortSignal;
  /** Called for every complete stdout line, as it arrives. */
  onLine?: (line: string) => void;
  /** Variables given to this program on top of the scrubbed environment (the caller's own settings, never the process's). */
  env?: Record<string, string>;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last 16 KiB of stderr: enough to classify an error, never unbounded. */
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
  /** stdout was longer than `maxStdoutBytes` and was cut. */
  truncated: boolean;
}

const STDERR_TAIL = 16 * 1024;

/** What a child inherits of the environment: what programs need to run, and nothing that routes around the egress proxy. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'PYTHONPATH', 'PYTHONIOENCODING', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];

export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(INHERITED.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
}

/** Signals a whole process group; one that has already exited is fine. */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** stdout kept up to a byte limit, and split into lines as it arrives. */
class StdoutCollector {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private pending = '';
  truncated = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine?: (line: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.bytes < this.maxBytes) {
      const room = this.maxBytes - this.bytes;
      this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      if (chunk.length > room) this.truncated = true;
      this.bytes += Math.min(chunk.length, room);
    } else this.truncated = true;
    if (!this.onLine) return;
    this.pending += chunk.toString('utf8');
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).replace(/\r$/, '');
      this.pending = this.pending.slice(nl + 1);
      if (line) this.onLine(line);
    }
  }

  /** The kept text, after the last (unterminated) line has been delivered. */
  finish(): string {
    if (this.onLine && this.pending.trim()) this.onLine(this.pending.replace(/\r$/, ''));
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * The one place that starts external programs: always an argument array (never a shell),
 * always a time limit, bounded output, and killed with its caller's AbortSignal.
 */
@Injectable()
export class ProcessRepository {
  private readonly logger = new Logger(ProcessRepository.name);
  /** However many requests and jobs ask at once, at most MAX_TOOL_PROCESSES programs run. */
  private readonly slots: Semaphore;

  constructor(@Inject(CONFIG) config: { limits: Pick<Config['limits'], 'maxToolProcesses'> }) {
    this.slots = new Semaphore(config.limits.maxToolProcesses);
  }

  /** Runs a program when a slot is free; its time limit counts from its start, not from the wait. */
  run(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
    return this.slots.run(() => this.spawn(command, args, opts));
  }

  /**
   * Starts a program at once if it can hold a slot without taking the last free one; null
   * otherwise (it never waits). For a program that waits on work needing a slot of its own, such
   * as a probe waiting for the file a download writes: however many wait, they never hold every
   * slot, so the work they wait on always gets one.
   */
  runBeside(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> | null {
    return this.slots.tryRun(() => this.spawn(command, args, opts), 1);
  }

  private spawn(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
    if (opts.signal?.aborted) {
      return Promise.resolve({ exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: true, truncated: false });
    }
    return new Promise((resolve, reject) => {
      // Its own process group, so a kill reaches what it starts too (yt-dlp runs ffmpeg).
      const child = spawn(command, args, { cwd: opts.cwd, shell: false, stdio: ['ignore', 'pipe', 'pipe'], env: { ...childEnv(), ...opts.env }, detached: true });
      const stdout = new StdoutCollector(opts.maxStdoutBytes ?? 1024 * 1024, opts.onLine);
      let stderr = '';
      let timedOut = false;
      let aborted = false;
      const kill = () => {
        killGroup(child.pid, 'SIGTERM');
        setTimeout(() => killGroup(child.pid, 'SIGKILL'), 2000).unref();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, opts.timeoutMs);
      const onAbort = () => {
        aborted = true;
        kill();
      };
      const done = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL)));
      child.on('error', (err) => {
        done();
        reject(err);
      });
      child.on('close', (exitCode, signal) => {
        done();
        if (timedOut) this.logger.warn(`${command} timed out after ${opts.timeoutMs} ms`);
        resolve({ exitCode, signal, stdout: stdout.finish(), stderr, timedOut, aborted, truncated: stdout.truncated });
      });
    });
  }
}

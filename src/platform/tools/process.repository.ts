import { Injectable, Logger } from '@nestjs/common';
import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Kill the process (SIGTERM, then SIGKILL) after this long. */
  timeoutMs: number;
  /** Most bytes of stdout kept in `stdout`; lines still reach `onLine` past it. */
  maxStdoutBytes?: number;
  cwd?: string;
  signal?: AbortSignal;
  /** Called for every complete stdout line, as it arrives. */
  onLine?: (line: string) => void;
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

/**
 * The one place that starts external programs: always an argument array (never a shell),
 * always a time limit, bounded output, and killed with its caller's AbortSignal.
 */
@Injectable()
export class ProcessRepository {
  private readonly logger = new Logger(ProcessRepository.name);

  run(command: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) {
        resolve({ exitCode: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: true, truncated: false });
        return;
      }
      const child = spawn(command, args, { cwd: opts.cwd, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
      const maxStdout = opts.maxStdoutBytes ?? 1024 * 1024;
      const out: Buffer[] = [];
      let outBytes = 0;
      let truncated = false;
      let stderr = '';
      let pending = '';
      let timedOut = false;
      let aborted = false;

      const kill = () => {
        child.kill('SIGTERM');
        setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 2000).unref();
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, opts.timeoutMs);
      const onAbort = () => {
        aborted = true;
        kill();
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout.on('data', (chunk: Buffer) => {
        if (outBytes < maxStdout) {
          const room = maxStdout - outBytes;
          out.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
          if (chunk.length > room) truncated = true;
          outBytes += Math.min(chunk.length, room);
        } else truncated = true;
        if (opts.onLine) {
          pending += chunk.toString('utf8');
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl).replace(/\r$/, '');
            pending = pending.slice(nl + 1);
            if (line) opts.onLine(line);
          }
        }
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      child.on('error', (err) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (opts.onLine && pending.trim()) opts.onLine(pending.replace(/\r$/, ''));
        if (timedOut) this.logger.warn(`${command} timed out after ${opts.timeoutMs} ms`);
        resolve({ exitCode, signal, stdout: Buffer.concat(out).toString('utf8'), stderr, timedOut, aborted, truncated });
      });
    });
  }
}

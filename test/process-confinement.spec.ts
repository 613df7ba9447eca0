import { describe, expect, it } from '@jest/globals';
import { childEnv, ProcessRepository } from '../src/platform/tools/process.repository.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('external programs are confined', () => {
  const processes = new ProcessRepository({ limits: { maxToolProcesses: 2 } });

  it('inherit no proxy settings or secrets from the environment', async () => {
    const env = childEnv({ PATH: '/usr/bin', HOME: '/root', no_proxy: '*', NO_PROXY: '*', ALL_PROXY: 'socks5://x', http_proxy: 'http://x', DATABASE_URL: 'postgres://secret', OPENAI_API_KEY: 'sk-secret' });
    expect(env).toEqual({ PATH: '/usr/bin', HOME: '/root' });
    const res = await processes.run('sh', ['-c', 'env'], { timeoutMs: 5000 });
    expect(res.stdout).not.toMatch(/proxy|DATABASE_URL|SIGNING_SECRET|OPENAI/i);
  });

  it('get the variables their caller sets for them (yt-dlp’s plugin path), and still nothing else', async () => {
    const res = await processes.run('sh', ['-c', 'env'], { timeoutMs: 5000, env: { PYTHONPATH: '/opt/plugins' } });
    expect(res.stdout).toMatch(/^PYTHONPATH=\/opt\/plugins$/m);
    expect(res.stdout).not.toMatch(/proxy|DATABASE_URL|SIGNING_SECRET|OPENAI/i);
  });

  it('a timeout kills the whole process group, grandchildren included', async () => {
    let grandchild = 0;
    const res = await processes.run('sh', ['-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 500, onLine: (line) => (grandchild = Number(line)) });
    expect(res.timedOut).toBe(true);
    expect(grandchild).toBeGreaterThan(0);
    const deadline = Date.now() + 5000;
    while (alive(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(grandchild)).toBe(false);
  });

  it('an abort kills the whole process group too', async () => {
    let grandchild = 0;
    const abort = new AbortController();
    const run = processes.run('sh', ['-c', 'sleep 30 & echo $!; wait'], {
      timeoutMs: 30_000,
      signal: abort.signal,
      onLine: (line) => {
        grandchild = Number(line);
        abort.abort();
      },
    });
    expect((await run).aborted).toBe(true);
    const deadline = Date.now() + 5000;
    while (alive(grandchild) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(grandchild)).toBe(false);
  });
});

describe('a process runs at most MAX_TOOL_PROCESSES programs at once', () => {
  it('queues the rest, and their time limits start when they do', async () => {
    const processes = new ProcessRepository({ limits: { maxToolProcesses: 2 } });
    const started = Date.now();
    // Eight runs of 0.5 s, two at a time: four rounds, 2 s. Each has 1.5 s: enough for itself on a
    // busy machine, not enough if its limit counted from when it was queued.
    const runs = await Promise.all(Array.from({ length: 8 }, () => processes.run('sh', ['-c', 'sleep 0.5; echo done'], { timeoutMs: 1500 })));
    expect(runs.map((r) => r.timedOut)).toEqual(runs.map(() => false));
    expect(runs.every((r) => r.stdout.trim() === 'done')).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1950);
  });
});

import { Inject, Injectable } from '@nestjs/common';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CONFIG, type Config } from '../../config.js';

import { ProcessRepository } from './process.repository.js';
import { joinForApertium, parseApertiumModes, splitApertium } from './apertium-args.js';

/** Offline machine translation with Apertium (the language pairs installed here). */
@Injectable()
export class ApertiumRepository {
  private pairs: Promise<Array<[string, string]>> | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly process: ProcessRepository,
  ) {}

  /** Installed pairs, read once from `apertium -l`. */
  installedPairs(): Promise<Array<[string, string]>> {
    this.pairs ??= this.process
      .run(this.config.tools.apertium, ['-l'], { timeoutMs: 10_000 })
      .then((r) => (r.exitCode === 0 ? parseApertiumModes(r.stdout) : []))
      .catch(() => []);
    return this.pairs;
  }

  /**
   * Translates texts keeping them apart; one process for all of them. Input and output go
   * through files: apertium's wrapper script mishandles a non-terminal stdin that is a socket.
   */
  async translate(mode: string, texts: string[], signal?: AbortSignal): Promise<string[]> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mediary-apertium-'));
    try {
      const run = async (input: string, n: number) => {
        const [inFile, outFile] = [path.join(dir, `in-${n}.txt`), path.join(dir, `out-${n}.txt`)];
        await writeFile(inFile, input);
        const res = await this.process.run(this.config.tools.apertium, ['-u', mode, inFile, outFile], { timeoutMs: 5 * 60_000, signal });
        if (res.exitCode !== 0) throw new Error(`apertium exited ${res.exitCode}: ${res.stderr.slice(-300)}`);
        return splitApertium(await readFile(outFile, 'utf8'));
      };
      const out = await run(joinForApertium(texts), 0);
      if (out.length === texts.length) return out;
      // A segment Apertium split or merged: one call per segment instead.
      return Promise.all(texts.map(async (t, i) => (await run(joinForApertium([t]), i + 1)).join(' ')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

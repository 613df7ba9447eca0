import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../../config.js';
import { ProcessRepository, type RunResult } from './process.repository.js';
import { pluginDirArgs, pluginPythonPath } from './ytdlp-args.js';

/** How this yt-dlp is told about the operator's plugins: options, or a variable of its environment. */
interface PluginSetup {
  args: string[];
  env?: Record<string, string>;
}

/** Runs yt-dlp. Command lines are built by pure functions (`*-args.ts`); this class only executes them. */
@Injectable()
export class YtdlpRepository {
  /** Whether the installed yt-dlp takes `--plugin-dirs` (asked once, on the first run that needs plugins). */
  private pluginDirsOption: Promise<boolean> | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly process: ProcessRepository,
  ) {}

  async run(
    args: string[],
    opts: { timeoutMs: number; signal?: AbortSignal; onLine?: (line: string) => void; maxStdoutBytes?: number },
  ): Promise<RunResult> {
    const plugins = await this.plugins();
    return this.process.run(this.config.tools.ytdlp, [...plugins.args, ...args], { maxStdoutBytes: 64 * 1024 * 1024, ...opts, env: plugins.env });
  }

  /**
   * Every run loads the operator's plugins (YTDLP_PLUGIN_DIRS): with `--plugin-dirs` where the
   * installed yt-dlp has it, otherwise from PYTHONPATH, which yt-dlp searches for `yt_dlp_plugins`
   * (the scrubbed environment of a child passes nothing else on).
   */
  private async plugins(): Promise<PluginSetup> {
    const dirs = this.config.tools.ytdlpPluginDirs;
    if (dirs.length === 0) return { args: [] };
    this.pluginDirsOption ??= this.process.run(this.config.tools.ytdlp, ['--ignore-config', '--help'], { timeoutMs: 30_000 }).then(
      (res) => res.stdout.includes('--plugin-dirs'),
      () => {
        this.pluginDirsOption = null; // asked again next time
        return false;
      },
    );
    if (await this.pluginDirsOption) return { args: pluginDirArgs(dirs) };
    return { args: [], env: { PYTHONPATH: pluginPythonPath(dirs, process.env.PYTHONPATH) } };
  }
}

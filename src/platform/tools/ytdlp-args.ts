import path from 'node:path';

export interface YtdlpCommon {
  proxy?: string;
  /**
   * Seconds; yt-dlp rejects media known to be longer (unknown durations pass: `<?`). Null for
   * runs that never touch the media itself (comments).
   */
  maxDurationSeconds: number | null;
}

export function ytdlpCommonArgs(opts: YtdlpCommon): string[] {
  const args = [
    '--ignore-config',
    '--no-cache-dir',
    '--no-color',
    '--no-warnings',
    '--socket-timeout',
    '20',
  ];
  // Only the duration: yt-dlp quotes the whole filter when it skips a video, so a second
  // condition would make the reason ambiguous. Live streams are refused by the caller.
  if (opts.maxDurationSeconds !== null) args.push('--match-filter', `duration<?${opts.maxDurationSeconds}`);
  if (opts.proxy) args.push('--proxy', opts.proxy);
  return args;
}

/** `--plugin-dirs` for each of the operator's plugin folders (yt-dlp versions that have the option). */
export function pluginDirArgs(dirs: readonly string[]): string[] {
  return dirs.flatMap((dir) => ['--plugin-dirs', dir]);
}

/** PYTHONPATH with the plugin folders first (older yt-dlp finds `yt_dlp_plugins` packages there), keeping the inherited one. */
export function pluginPythonPath(dirs: readonly string[], inherited: string | undefined): string {
  return [...dirs, ...(inherited ? [inherited] : [])].join(path.delimiter);
}

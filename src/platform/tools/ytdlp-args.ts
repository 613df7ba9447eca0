export interface YtdlpCommon {
  proxy?: string;
  /** Seconds; yt-dlp rejects media known to be longer (unknown durations pass: `<?`). */
  maxDurationSeconds: number;
}

export function ytdlpCommonArgs(opts: YtdlpCommon): string[] {
  const args = [
    '--ignore-config',
    '--no-cache-dir',
    '--no-color',
    '--no-warnings',
    '--socket-timeout',
    '20',
    // Only the duration: yt-dlp quotes the whole filter when it skips a video, so a second
    // condition would make the reason ambiguous. Live streams are refused by the caller.
    '--match-filter',
    `duration<?${opts.maxDurationSeconds}`,
  ];
  if (opts.proxy) args.push('--proxy', opts.proxy);
  return args;
}

import { localInput } from '../../platform/tools/ffprobe.js';
import { limitArgs } from './chunking.js';
import { ytdlpCommonArgs, type YtdlpCommon } from '../../platform/tools/ytdlp-args.js';

/** Only the captions of one language (manual or automatic), as WebVTT in `outputDir`. */
export function captionArgs(url: string, opts: YtdlpCommon & { language: string; kind: 'manual' | 'auto'; outputDir: string }): string[] {
  return [
    ...ytdlpCommonArgs(opts),
    '--skip-download',
    opts.kind === 'manual' ? '--write-subs' : '--write-auto-subs',
    '--sub-langs',
    opts.language,
    '--sub-format',
    'vtt/srt/best',
    '--convert-subs',
    'vtt',
    '--playlist-items',
    '1',
    '-P',
    opts.outputDir,
    '-o',
    'captions.%(ext)s',
    '--',
    url,
  ];
}

/** Audio for speech recognition: mono 16 kHz 16-bit WAV (what pocketsphinx reads), its first `limitSeconds` when given. */
export function speechWavArgs(input: string, output: string, limitSeconds?: number): string[] {
  return ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...localInput(input), ...limitArgs(limitSeconds), '-vn', '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', '-f', 'wav', output];
}

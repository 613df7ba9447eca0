import { type Word } from './speech-types.js';


/** pocketsphinx_continuous on a 16 kHz mono WAV, with word times (`-time yes`). */
export function pocketsphinxArgs(wav: string): string[] {
  return ['-infile', wav, '-time', 'yes', '-logfn', '/dev/null'];
}

const NOT_WORDS = /^(<s>|<\/s>|<sil>|\[NOISE\]|\+\+.*\+\+|\[.*\])$/i;

/**
 * `word start end confidence` lines → words. Silence and noise markers are dropped, alternate
 * pronunciations (`on(2)`) become the word, confidences are clamped to 0–1.
 */
export function parsePocketsphinx(stdout: string): Word[] {
  const words: Word[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(line.trim());
    if (!m || NOT_WORDS.test(m[1]!)) continue;
    words.push({
      word: m[1]!.replace(/\(\d+\)$/, ''),
      start: Number(m[2]),
      end: Number(m[3]),
      confidence: Math.min(1, Math.round(Number(m[4]) * 1000) / 1000),
    });
  }
  return words;
}

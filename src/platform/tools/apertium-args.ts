import { baseLanguage } from '../languages.js';



/** ISO 639-1 codes ↔ the ISO 639-3 codes Apertium names its modes with. */
const APERTIUM: Record<string, string> = {
  en: 'eng', es: 'spa', fr: 'fra', de: 'deu', pt: 'por', it: 'ita', ca: 'cat', gl: 'glg', eu: 'eus', nl: 'nld',
  ro: 'ron', oc: 'oci', ar: 'ara', ru: 'rus', uk: 'ukr', pl: 'pol', sv: 'swe', da: 'dan', nb: 'nob', nn: 'nno',
};

const ISO1 = Object.fromEntries(Object.entries(APERTIUM).map(([a, b]) => [b, a]));

/** The Apertium mode translating `from` into `to` (`eng-spa`), if both codes are known. */
export function apertiumMode(from: string, to: string): string | null {
  const a = APERTIUM[baseLanguage(from)];
  const b = APERTIUM[baseLanguage(to)];
  return a && b ? `${a}-${b}` : null;
}
/** `apertium -l` → language pairs as ISO 639-1 codes, e.g. [['en', 'es'], ['es', 'en']]. */
export function parseApertiumModes(output: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const mode of output.split(/\s+/)) {
    const m = /^([a-z]{3})-([a-z]{3})$/.exec(mode.trim());
    const from = m && ISO1[m[1]!];
    const to = m && ISO1[m[2]!];
    if (from && to) pairs.push([from, to]);
  }
  return pairs;
}

/** Segments as one text Apertium keeps apart: one paragraph each. */
export function joinForApertium(texts: string[]): string {
  return `${texts.map((t) => t.replace(/\s+/g, ' ').trim()).join('\n\n')}\n`;
}

export function splitApertium(output: string): string[] {
  return output.replace(/\r/g, '').trim().split(/\n\s*\n/).map((s) => s.trim());
}

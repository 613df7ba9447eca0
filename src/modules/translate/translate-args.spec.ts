import { describe, expect, it } from '@jest/globals';
import { parseTranslationReply, translationMessages } from './translate-args.js';
import { joinForApertium, parseApertiumModes, splitApertium } from '../../platform/tools/apertium-args.js';
import { apertiumMode } from '../../platform/tools/apertium-args.js';

describe('translation helpers', () => {
  it('maps ISO 639-1 codes to Apertium modes and back', () => {
    expect(apertiumMode('en', 'es')).toBe('eng-spa');
    expect(apertiumMode('pt-BR', 'en')).toBe('por-eng');
    expect(apertiumMode('xx', 'en')).toBeNull();
    expect(parseApertiumModes('  eng-spa\n  spa-eng\n  spa-eng_US\n')).toEqual([['en', 'es'], ['es', 'en']]);
  });

  it('keeps segments apart through Apertium as paragraphs', () => {
    const joined = joinForApertium(['Hello\nworld.', '  How are you? ']);
    expect(joined).toBe('Hello world.\n\nHow are you?\n');
    expect(splitApertium('Hola mundo.\r\n\r\n¿Cómo estás?\n')).toEqual(['Hola mundo.', '¿Cómo estás?']);
  });

  it('asks a chat model for the same ids and accepts only a complete answer', () => {
    const messages = translationMessages([{ id: 3, text: 'Hi' }], 'en', 'es');
    expect(JSON.parse(messages[1]!.content)).toEqual({ segments: [{ id: 3, text: 'Hi' }] });
    expect(parseTranslationReply('{"segments":[{"id":3,"text":" Hola "}]}', [3])?.get(3)).toBe('Hola');
    expect(parseTranslationReply('```json\n{"segments":[{"id":3,"text":"Hola"}]}\n```', [3])?.get(3)).toBe('Hola');
    expect(parseTranslationReply('{"segments":[]}', [3])).toBeNull();
    expect(parseTranslationReply('{"segments":[{"id":3,"text":"a"},{"id":4,"text":"b"}]}', [3])).toBeNull();
    expect(parseTranslationReply('not json', [3])).toBeNull();
  });
});

import { client as defaultClient } from './generated/client.gen.js';
import type { Client } from './generated/client/index.js';
import type { GetTranscriptErrors } from './generated/types.gen.js';

/**
 * A finished transcript as SRT, WebVTT or plain text (GET /v1/jobs/{id}/transcript): the text
 * formats of `getTranscript`, whose generated type is the JSON one.
 */
export function getTranscriptText(id: string, format: 'srt' | 'vtt' | 'txt', options: { client?: Client; signal?: AbortSignal } = {}) {
  return (options.client ?? defaultClient).get<{ 200: string }, GetTranscriptErrors, false>({
    security: [{ name: 'X-API-Key', type: 'apiKey' }, { key: 'bearer', scheme: 'bearer', type: 'http' }],
    url: '/v1/jobs/{id}/transcript',
    path: { id },
    query: { format },
    parseAs: 'text',
    signal: options.signal,
  });
}

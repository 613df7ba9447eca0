
/** The prompt for an OpenAI-compatible chat model: numbered segments in, the same ids out. */
export function translationMessages(segments: Array<{ id: number; text: string }>, from: string | null, to: string) {
  return [
    {
      role: 'system' as const,
      content:
        `You translate subtitle segments${from ? ` from ${from}` : ''} into ${to}. Reply with JSON only: ` +
        '{"segments":[{"id":<same id>,"text":"<translation>"}]} with exactly one entry per input id, in order. ' +
        'Translate faithfully; keep names; do not merge or split segments.',
    },
    { role: 'user' as const, content: JSON.stringify({ segments }) },
  ];
}

/** The translated texts by id, or null when any id is missing or extra (the batch is retried). */
export function parseTranslationReply(content: string, ids: number[]): Map<number, string> | null {
  try {
    const json = JSON.parse(content.replace(/^```(?:json)?\s*|\s*```$/g, '')) as { segments?: Array<{ id?: unknown; text?: unknown }> };
    const map = new Map<number, string>();
    for (const s of json.segments ?? []) if (typeof s.id === 'number' && typeof s.text === 'string') map.set(s.id, s.text.trim());
    return ids.every((id) => map.has(id)) && map.size === ids.length ? map : null;
  } catch {
    return null;
  }
}

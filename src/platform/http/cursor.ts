/** Opaque keyset cursors: base64url of the sort key of the last row returned. */
export function encodeCursor(parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): Array<string | number> | null {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parts) || parts.length !== arity) return null;
    if (!parts.every((p) => typeof p === 'string' || typeof p === 'number')) return null;
    return parts as Array<string | number>;
  } catch {
    return null;
  }
}

/**
 * Opaque pagination cursors: a tuple of sort-key values, base64url-encoded JSON with a kind tag so
 * a cursor from one list is not accepted by another. Decoding happens in the route, so a bad
 * cursor is a 400 naming `cursor`, never a query failure.
 */
export type CursorValue = string | number | null;

export function encodeCursor(kind: string, values: CursorValue[]): string {
  return Buffer.from(JSON.stringify([kind, ...values]), 'utf8').toString('base64url');
}

/** The cursor's values, or null when it is malformed or of another kind. */
export function decodeCursor(kind: string, cursor: string, arity: number): CursorValue[] | null {
  if (cursor.length > 2048 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v[0] !== kind || v.length !== arity + 1) return null;
    const values = v.slice(1) as unknown[];
    if (!values.every((x) => x === null || typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)))) return null;
    return values as CursorValue[];
  } catch {
    return null;
  }
}

/**
 * Well-formed Unicode in event strings. JSON may spell a lone UTF-16 surrogate (`"\ud800"`), which
 * no UTF-8 text can hold: SQLite would store U+FFFD instead, so an id would no longer match what
 * the client sent. The event contract refuses such strings, naming the field.
 */

export const LONE_SURROGATE = 'contains a lone UTF-16 surrogate (not valid Unicode)';

const ANY_SURROGATE = /[\ud800-\udfff]/;
const LONE = /\p{Cs}/u;

export function hasLoneSurrogate(s: string): boolean {
  return ANY_SURROGATE.test(s) && LONE.test(s);
}

/**
 * The path (`metadata.a.b[2]`) of the first string or key under `value` holding a lone surrogate,
 * or null. Walks without recursion, so any nesting depth JSON.parse produced is safe.
 */
export function loneSurrogatePath(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (hasLoneSurrogate(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      for (const key of Object.keys(v)) {
        const at = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
        if (hasLoneSurrogate(key)) return `${at} (its key)`;
        stack.push([(v as Record<string, unknown>)[key], at]);
      }
    }
  }
  return null;
}

export const NOT_UTF8 = 'the request body is not valid UTF-8';

/**
 * JSON text within a byte budget, without serializing more than the budget: a request's metadata
 * may hold hundreds of thousands of keys, and the cap must cost what is kept, not what was sent.
 * Every walk here stops once its output would pass the budget; the only work proportional to the
 * input is listing the keys of the objects it enters (done once per object).
 */

/** Deeper containers are kept as a marker string (and make the exact form fail). */
export const MAX_DEPTH = 64;
/** Bytes kept free in a container for its closing bracket and its "… N more" marker. */
const RESERVE = 40;
const MARK = '…';

type Keys = Map<object, string[]>;

function keysOf(o: object, keys: Keys): string[] {
  let k = keys.get(o);
  if (!k) keys.set(o, (k = Object.keys(o)));
  return k;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** A value as JSON.stringify sees it (toJSON applied); undefined for what it leaves out. */
function jsonValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: () => unknown }).toJSON();
  if (typeof v === 'bigint') throw new TypeError('BigInt value can not be serialized in JSON');
  return typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
}

function scalarJson(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  return v === null || v === undefined ? 'null' : String(v);
}

/**
 * `JSON.stringify(value)` when it takes at most `maxBytes` of UTF-8, else null; stops at the first
 * piece that does not fit. Throws what JSON.stringify would throw for a BigInt.
 */
export function exactJson(value: unknown, maxBytes: number, keys: Keys = new Map()): string | null {
  const parts: string[] = [];
  let left = maxBytes;
  const put = (s: string, bytes = s.length) => {
    left -= bytes;
    parts.push(s);
    return left >= 0;
  };
  const walk = (raw: unknown, depth: number): boolean => {
    const v = jsonValue(raw);
    if (typeof v === 'string') {
      if (v.length > left) return false;
      const s = JSON.stringify(v);
      return put(s, utf8(s));
    }
    if (v === null || typeof v !== 'object') return put(scalarJson(v));
    if (depth >= MAX_DEPTH) return false;
    if (Array.isArray(v)) {
      if (!put('[')) return false;
      for (let i = 0; i < v.length; i++) {
        if ((i && !put(',')) || !walk(v[i] === undefined ? null : v[i], depth + 1)) return false;
      }
      return put(']');
    }
    if (!put('{')) return false;
    let first = true;
    for (const k of keysOf(v, keys)) {
      const x = (v as Record<string, unknown>)[k];
      if (jsonValue(x) === undefined) continue;
      const key = JSON.stringify(k);
      if ((!first && !put(',')) || key.length > left || !put(key, utf8(key)) || !put(':') || !walk(x, depth + 1)) return false;
      first = false;
    }
    return put('}');
  };
  return walk(value, 0) ? parts.join('') : null;
}

/** The longest prefix of `s` within `maxBytes` of UTF-8, never splitting a character. */
export function utf8Slice(s: string, maxBytes: number): string {
  let t = s.length > maxBytes ? s.slice(0, maxBytes) : s;
  const last = t.charCodeAt(t.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) t = t.slice(0, -1);
  const full = Buffer.from(t, 'utf8');
  if (full.length <= maxBytes) return t;
  let end = maxBytes;
  // A cut that lands inside a character steps back to that character's first byte.
  while (end > 0 && (full[end] & 0xc0) === 0x80) end--;
  return full.subarray(0, end).toString('utf8');
}

interface Capped {
  json: string;
  /** Whether entries were left out (not only strings shortened). */
  dropped: boolean;
}

/**
 * JSON of `value` in at most `room` bytes, keeping its shape: strings longer than `stringLimit`
 * bytes are cut (marked "…"), containers keep the entries that fit and end with a "… N more"
 * marker. Null when not even a marker fits.
 */
export function cappedJson(value: unknown, room: number, stringLimit: number, keys: Keys = new Map()): Capped | null {
  let dropped = false;
  const str = (s: string, room: number): string | null => {
    let max = Math.min(stringLimit, room - 2);
    for (;;) {
      const cut = s.length > max || utf8(s) > max ? utf8Slice(s, Math.max(0, max - 3)) + MARK : s;
      const j = JSON.stringify(cut);
      const bytes = utf8(j);
      if (bytes <= room) return j;
      if (max <= 3) return null;
      max = Math.min(max - (bytes - room), Math.floor(max / 2));
    }
  };
  const walk = (raw: unknown, room: number, depth: number): string | null => {
    const v = jsonValue(raw);
    if (typeof v === 'string') return str(v, room);
    if (v === null || typeof v !== 'object') {
      const s = scalarJson(v);
      return s.length <= room ? s : null;
    }
    if (depth >= MAX_DEPTH) {
      dropped = true;
      return str(MARK, room);
    }
    const isArray = Array.isArray(v);
    const names = isArray ? null : keysOf(v, keys);
    const count = isArray ? v.length : names!.length;
    const parts: string[] = [];
    let left = room - 2;
    let i = 0;
    for (; i < count && left > RESERVE; i++) {
      const k = names ? names[i] : '';
      const x = names ? (v as Record<string, unknown>)[k] : (v as unknown[])[i];
      if (names && jsonValue(x) === undefined) continue;
      const key = names ? str(k, left - RESERVE) : '';
      if (key === null) break;
      const sep = (parts.length ? 1 : 0) + (names ? 1 : 0);
      const item = walk(x === undefined ? null : x, left - RESERVE - utf8(key) - sep, depth + 1);
      if (item === null) break;
      const entry = names ? `${key}:${item}` : item;
      parts.push(entry);
      left -= utf8(entry) + (parts.length > 1 ? 1 : 0);
    }
    if (i < count) {
      dropped = true;
      parts.push(names ? `"${MARK}":"${count - i} more keys"` : `"${MARK} ${count - i} more"`);
    }
    return isArray ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
  };
  const json = walk(value, room, 0);
  return json === null ? null : { json, dropped };
}

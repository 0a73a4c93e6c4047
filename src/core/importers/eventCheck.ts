/**
 * A fast check of importer-built events against the event contract. The parsers build events from
 * typed values, so almost every one already satisfies `EventInputSchema` exactly as given; this
 * confirms that field by field (same limits as the schema, no transformation needed) at a small
 * fraction of zod's cost, which matters at hundreds of thousands of events per import. Anything
 * it does not accept goes through `validateEvent`, which then transforms or rejects it with errors
 * that name the field.
 */
import { isPlausibleTimestamp } from '../contracts/eventTime';
import { EVENT_STATUSES, EVENT_TYPES, validateEvent, type EventInput, type EventInputRaw, type ValidationResult } from '../contracts/events';

const TYPES = new Set<string>(EVENT_TYPES);
const STATUSES = new Set<string>(EVENT_STATUSES);
const AGENT_RE = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;
const ISO_RE = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
/** Any surrogate: paired ones are fine, but deciding that is left to the full validation. */
const SURROGATE = /[\ud800-\udfff]/;
const TOKEN_FIELDS = ['tokens_in', 'tokens_out', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens', 'reasoning_tokens'] as const;
const OPTIONAL_STRINGS: [keyof EventInputRaw, number][] = [
  ['event_id', 256],
  ['tool_name', 256],
  ['model', 256],
  ['project', 512],
  ['branch', 256],
];

function cleanString(v: unknown, max: number): boolean {
  if (typeof v !== 'string' || v.length === 0 || v.length > max || SURROGATE.test(v)) return false;
  const a = v.charCodeAt(0);
  const b = v.charCodeAt(v.length - 1);
  return a > 32 && b > 32 && a !== 160 && b !== 160 && a < 0x2000 && b < 0x2000;
}

/** The event unchanged when it already satisfies the contract as given; otherwise null. */
export function alreadyValid(e: EventInputRaw): EventInput | null {
  if (!cleanString(e.session_id, 256)) return null;
  if (!cleanString(e.agent_type, 64) || !AGENT_RE.test(e.agent_type)) return null;
  if (!TYPES.has(e.event_type)) return null;
  for (const [k, max] of OPTIONAL_STRINGS) {
    const v = e[k];
    if (v !== undefined && !cleanString(v, max)) return null;
  }
  if (e.status !== undefined && !STATUSES.has(e.status as string)) return null;
  for (const k of TOKEN_FIELDS) {
    const v = e[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e12)) return null;
  }
  const c = e.cost_usd;
  if (c !== undefined && !(typeof c === 'number' && Number.isFinite(c) && c >= 0 && c <= 1e6)) return null;
  const d = e.duration_ms;
  if (d !== undefined && !(typeof d === 'number' && Number.isFinite(d) && d >= 0 && d <= 1e10)) return null;
  const ts = e.client_timestamp;
  if (ts !== undefined && !(typeof ts === 'string' && ISO_RE.test(ts) && isPlausibleTimestamp(ts))) return null;
  if (e.source !== undefined && e.source !== 'import') return null;
  return e as EventInput;
}

/** `alreadyValid`, else the full contract validation. */
export function validateImported(e: EventInputRaw): ValidationResult {
  const fast = alreadyValid(e);
  return fast ? { ok: true, value: fast } : validateEvent(e);
}

/**
 * Reading typed values out of OTLP attributes, which agents spell loosely (Claude Code sends
 * `success` as "true", Codex sends token counts as strings).
 */
import type { AttrValue, Attributes } from './otlpRecords';
import { toNumber } from './otlpRecords';

/** Longest text kept from an attribute (prompts, tool input/output, error messages). */
export const TEXT_MAX = 2000;

export function attrString(a: Attributes, key: string, max = TEXT_MAX): string | undefined {
  const v = a[key];
  if (typeof v === 'string') {
    const s = v.trim();
    return s ? (s.length > max ? `${s.slice(0, max)}…` : s) : undefined;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Prompt text, or undefined when the agent withheld it: Codex sends "[REDACTED]" unless
 * `log_user_prompt = true`, Claude Code "<REDACTED>" unless `OTEL_LOG_USER_PROMPTS=1`.
 */
export function attrPrompt(a: Attributes, key = 'prompt'): string | undefined {
  const s = attrString(a, key);
  return s && /^[<[]REDACTED[>\]]$/i.test(s) ? undefined : s;
}

export function attrNumber(a: Attributes, key: string): number | undefined {
  return toNumber(a[key]);
}

/** A non-negative integer count (tokens); undefined when absent or not a count. */
export function attrCount(a: Attributes, key: string): number | undefined {
  const n = toNumber(a[key]);
  return n !== undefined && n >= 0 && Number.isInteger(n) ? n : undefined;
}

/** A non-negative finite number (durations, cost); undefined otherwise. */
export function attrNonNegative(a: Attributes, key: string): number | undefined {
  const n = toNumber(a[key]);
  return n !== undefined && n >= 0 ? n : undefined;
}

export function attrBool(a: Attributes, key: string): boolean | undefined {
  const v: AttrValue | undefined = a[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** Drop undefined values so metadata stays small. */
export function compactObject(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * Model names arrive in many spellings: date suffixes (`claude-sonnet-4-5-20250929`,
 * `gpt-5-2025-08-07`), provider prefixes (`anthropic/…`, `openrouter/anthropic/…`), Bedrock ids
 * (`us.anthropic.claude-…-v1:0`), Vertex ids (`claude-…@20250929`), context markers (`…[1m]`),
 * dotted versions (`claude-sonnet-4.5`) and a `-fast` suffix for fast mode. This reduces them to
 * the keys of the price tables.
 */
export interface NormalizedModel {
  /** Lower-case key to look up in the price tables. */
  name: string;
  /** The name asked for fast mode (`-fast`). */
  fast: boolean;
}

export function normalizeModelName(raw: string): NormalizedModel {
  let s = raw.trim().toLowerCase();
  s = s.slice(s.lastIndexOf('/') + 1);
  s = s.replace(/\[[^\]]*\]$/, '');
  s = s.replace(/^(?:[a-z]{2,7}\.)?anthropic\./, '');
  s = s.replace(/@[\w.-]*$/, '');
  s = s.replace(/-v\d+(?::\d+)?$/, '').replace(/:\d+$/, '');
  let fast = false;
  if (s.endsWith('-fast')) {
    fast = true;
    s = s.slice(0, -5);
  }
  s = s.replace(/-\d{8}$/, '').replace(/-\d{4}-\d{2}-\d{2}$/, '');
  if (s.startsWith('claude')) s = s.replace(/(\d)\.(\d)/g, '$1-$2');
  return { name: s, fast };
}

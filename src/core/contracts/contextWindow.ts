/**
 * A model's context window in tokens, when known from its name: Claude models 200k (1M for the
 * `[1m]` long-context variants Claude Code names so), GPT-5 models (Codex) 272k input tokens.
 * Null for other models: their sessions show the context size without a percentage.
 */
export function contextWindowOf(model: string | null | undefined): number | null {
  if (!model) return null;
  const m = model.toLowerCase();
  if (m.startsWith('claude-')) return /\[1m\]|-1m\b/.test(m) ? 1_000_000 : 200_000;
  if (m.startsWith('gpt-5')) return 272_000;
  return null;
}

/** How full a context is, in whole percent of its window (at most 100); null when either is unknown. */
export function contextPercent(tokens: number | null, window: number | null): number | null {
  return tokens && window ? Math.min(100, Math.round((100 * tokens) / window)) : null;
}

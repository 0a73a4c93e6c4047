/**
 * What "Configure Codex Telemetry" does to `$CODEX_HOME/config.toml`: add our `[otel]` table when
 * there is none, leave an existing one alone (the user merges by hand). Pure.
 */
export type CodexTelemetryPlan =
  | { action: 'create'; text: string }
  | { action: 'append'; text: string }
  | { action: 'already' }
  | { action: 'conflict'; reason: string };

const OTEL_TABLE = /^\s*\[\s*otel\s*(\.[^\]]*)?\]\s*(#.*)?$/m;
const OTEL_DOTTED = /^\s*otel\s*\./m;

export function planCodexTelemetry(existing: string | null, snippet: string, endpoint: string): CodexTelemetryPlan {
  if (existing === null || existing.trim() === '') return { action: 'create', text: snippet };
  if (OTEL_TABLE.test(existing) || OTEL_DOTTED.test(existing)) {
    if (existing.includes(endpoint)) return { action: 'already' };
    return { action: 'conflict', reason: 'config.toml already has an [otel] table that exports elsewhere' };
  }
  const sep = existing.endsWith('\n') ? '\n' : '\n\n';
  return { action: 'append', text: `${existing}${sep}${snippet}` };
}

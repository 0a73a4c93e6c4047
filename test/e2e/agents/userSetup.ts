/**
 * The telemetry settings the README gives users, as the agents' environment and config: Claude
 * Code reads OTLP settings from its environment, Codex from the `[otel]` table of config.toml.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { geminiTelemetrySettings as geminiSettingsSnippet } from '../../../src/core/setup/snippets';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_URL = 'http://127.0.0.1:3142';

/** README's Claude Code telemetry settings, plus the 1 s export intervals that keep a run short. */
export function claudeTelemetryEnv(monitorUrl: string, protocol: 'http/json' | 'http/protobuf'): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_EXPORTER_OTLP_ENDPOINT: `${monitorUrl}/api/otel`,
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
    OTEL_LOGS_EXPORT_INTERVAL: '1000',
  };
}

/**
 * The `[otel]` block the README tells Codex users to add (hooks/codex/otel-config.toml), pointed at
 * this test's server and set to the protocol under test.
 */
export function codexOtelToml(monitorUrl: string, protocol: 'json' | 'binary'): string {
  const fragment = fs.readFileSync(path.join(repoRoot, 'hooks', 'codex', 'otel-config.toml'), 'utf8');
  if (!fragment.includes(DEFAULT_URL)) throw new Error(`hooks/codex/otel-config.toml no longer names ${DEFAULT_URL}`);
  return fragment.split(DEFAULT_URL).join(monitorUrl).replace(/protocol = "(json|binary)"/g, `protocol = "${protocol}"`);
}

/** README's Gemini CLI telemetry settings (`~/.gemini/settings.json`), pointed at this test's server. */
export function geminiTelemetrySettings(monitorUrl: string): Record<string, unknown> {
  return JSON.parse(geminiSettingsSnippet({ url: monitorUrl })) as Record<string, unknown>;
}

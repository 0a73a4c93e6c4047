/**
 * Every setup snippet AgentMonitor shows, from one place: the telemetry settings that point Claude
 * Code and Codex at our OTLP receiver, and the commands of the dashboard's empty state. The
 * README's "Connecting agents" blocks, `agentmonitor doctor`'s fixes, the dashboard's empty state,
 * the extension's "Configure Codex Telemetry" command and `hooks/codex/otel-config.toml` all come
 * from here, and `test/unit/setupSnippets.test.ts` keeps README, the TOML file and the empty state
 * equal to it. Pure (no node imports): the webview bundles it too.
 */

export interface TelemetryTarget {
  /** The server's base URL (`http://127.0.0.1:3142`); when given, host and port are not used. */
  url?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 3142. */
  port?: number;
  /** `AGENTMONITOR_TOKEN`, when the server requires one for writes. */
  token?: string | null;
}

export type CodexOtelProtocol = 'json' | 'binary';

/** Base OTLP/HTTP endpoint; the signal paths are `/v1/logs`, `/v1/metrics`, `/v1/traces` below it. */
export function otelEndpoint(t: TelemetryTarget = {}): string {
  if (t.url) return `${t.url.replace(/\/+$/, '')}/api/otel`;
  const host = t.host ?? '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${t.port ?? 3142}/api/otel`;
}

function tomlString(s: string): string {
  return JSON.stringify(s);
}

function codexExporter(url: string, protocol: CodexOtelProtocol, token: string | null | undefined): string {
  const headers = token ? `, headers = { "Authorization" = ${tomlString(`Bearer ${token}`)} }` : '';
  return `{ otlp-http = { endpoint = ${tomlString(url)}, protocol = ${tomlString(protocol)}${headers} } }`;
}

/**
 * The `[otel]` table for `~/.codex/config.toml`. Codex posts to each endpoint as given (it does not
 * append `/v1/logs`), so the full paths are spelled out. Usage arrives in the log events; metrics
 * add tool-call and turn counters; traces are not needed.
 */
export function codexOtelConfig(t: TelemetryTarget = {}, protocol: CodexOtelProtocol = 'binary'): string {
  const base = otelEndpoint(t);
  const other: CodexOtelProtocol = protocol === 'binary' ? 'json' : 'binary';
  return [
    '# AgentMonitor: Codex telemetry (OpenTelemetry over HTTP) for ~/.codex/config.toml',
    '# (or $CODEX_HOME/config.toml). Merge into an existing [otel] table rather than adding a second one.',
    '[otel]',
    '# Set to true to see prompt text in AgentMonitor (it stays on this machine).',
    'log_user_prompt = false',
    `exporter = ${codexExporter(`${base}/v1/logs`, protocol, t.token)}`,
    `metrics_exporter = ${codexExporter(`${base}/v1/metrics`, protocol, t.token)}`,
    `# The same with protocol = "${other}" (AgentMonitor accepts both):`,
    `# exporter = ${codexExporter(`${base}/v1/logs`, other, t.token)}`,
    `# metrics_exporter = ${codexExporter(`${base}/v1/metrics`, other, t.token)}`,
    '',
  ].join('\n');
}

/**
 * The `telemetry` object for Gemini CLI's `~/.gemini/settings.json`: OTLP/HTTP (JSON) to
 * `<endpoint>/v1/logs` and its siblings. Usage arrives in `gemini_cli.api_response` log records;
 * the chat logs carry the rest. (Gemini CLI's settings take no headers: a server with a token
 * does not get its telemetry.)
 */
export function geminiTelemetrySettings(t: TelemetryTarget = {}): string {
  const telemetry = { enabled: true, target: 'local', otlpEndpoint: otelEndpoint(t), otlpProtocol: 'http', logPrompts: false };
  return JSON.stringify({ telemetry }, null, 2);
}

export type ClaudeOtelProtocol = 'http/protobuf' | 'http/json';

/**
 * Environment for Claude Code telemetry (a shell profile, or the `env` object of Claude Code's
 * `settings.json`). Claude Code appends `/v1/logs` and `/v1/metrics` to the endpoint itself.
 */
export function claudeCodeTelemetryEnv(t: TelemetryTarget = {}, opts: ClaudeTelemetryOptions = {}): Record<string, string> {
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: opts.protocol ?? 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: otelEndpoint(t),
  };
  if (opts.logUserPrompts) env.OTEL_LOG_USER_PROMPTS = '1';
  if (t.token) env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${t.token}`;
  return env;
}

export interface ClaudeTelemetryOptions {
  /** Default http/protobuf; AgentMonitor accepts both. */
  protocol?: ClaudeOtelProtocol;
  /** Include prompt text in the `user_prompt` events (off by default in Claude Code). */
  logUserPrompts?: boolean;
}

function shellExports(env: Record<string, string>): string {
  const quote = (v: string) => (/^[\w./:-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${quote(v)}`)
    .join('\n');
}

/** The same environment as `export` lines for a shell profile. */
export function claudeCodeTelemetryShell(t: TelemetryTarget = {}, opts: ClaudeTelemetryOptions = {}): string {
  return shellExports(claudeCodeTelemetryEnv(t, opts));
}

/**
 * Environment for GitHub Copilot CLI's telemetry: OTLP/HTTP (JSON by default) to `<endpoint>/v1/traces`
 * and `/v1/metrics`. Its `chat` spans carry each API call's usage, its `execute_tool` spans the tool
 * calls (`otel/copilot.ts`); its session logs carry the rest.
 */
export function copilotTelemetryEnv(t: TelemetryTarget = {}): Record<string, string> {
  const env: Record<string, string> = { COPILOT_OTEL_ENABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: otelEndpoint(t) };
  if (t.token) env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${t.token}`;
  return env;
}

export function copilotTelemetryShell(t: TelemetryTarget = {}): string {
  return shellExports(copilotTelemetryEnv(t));
}

/** What the dashboard's empty state shows, for the server at `url`. */
export interface ConnectAgentSnippets {
  hooksInstall: string;
  claudeTelemetry: string;
  codexConfigFile: string;
  codexTelemetry: string;
  /** Gemini CLI's `telemetry` settings, for `geminiSettingsFile`. */
  geminiSettingsFile: string;
  geminiTelemetry: string;
  copilotTelemetry: string;
  importLogs: string;
  postEvent: string;
  demo: string;
}

export function connectAgentSnippets(url: string): ConnectAgentSnippets {
  return {
    hooksInstall: 'agentmonitor hooks install',
    claudeTelemetry: claudeCodeTelemetryShell({ url }),
    codexConfigFile: '~/.codex/config.toml',
    codexTelemetry: codexOtelConfig({ url }).trimEnd(),
    geminiSettingsFile: '~/.gemini/settings.json',
    geminiTelemetry: geminiTelemetrySettings({ url }),
    copilotTelemetry: copilotTelemetryShell({ url }),
    importLogs: 'agentmonitor import',
    postEvent: `curl -X POST ${url.replace(/\/+$/, '')}/api/events -H 'Content-Type: application/json' -d '{"session_id":"s1","agent_type":"my-agent","event_type":"session_start"}'`,
    demo: 'agentmonitor demo --live',
  };
}

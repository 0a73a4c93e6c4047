/**
 * The telemetry settings the README gives users, as the agents' environment and config: Claude
 * Code reads OTLP settings from its environment, Codex from the `[otel]` table of config.toml.
 */

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

export function codexOtelToml(monitorUrl: string, protocol: 'json' | 'binary'): string {
  return `[otel]
log_user_prompt = true
exporter = { otlp-http = { endpoint = "${monitorUrl}/api/otel/v1/logs", protocol = "${protocol}" } }
`;
}

/** OTLP/JSON logs requests shaped as Claude Code exports them (`claude_code.api_request` records), for the team tests. */

export interface ApiRequestRecord {
  sessionId: string;
  requestId: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  cacheRead?: number;
  cacheWrite?: number;
  cost: number;
  atMs: number;
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** One logs request: a resource with the given attributes (plus `service.name`), one record per request. */
export function claudeApiRequests(resource: Record<string, string>, records: ApiRequestRecord[]): Record<string, unknown> {
  return {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'claude-code'), ...Object.entries(resource).map(([k, v]) => str(k, v))] },
        scopeLogs: [
          {
            scope: { name: 'com.anthropic.claude_code.events' },
            logRecords: records.map((r) => ({
              timeUnixNano: String(BigInt(r.atMs) * 1_000_000n),
              body: { stringValue: 'claude_code.api_request' },
              attributes: [
                str('event.name', 'api_request'),
                str('session.id', r.sessionId),
                str('request_id', r.requestId),
                str('model', r.model),
                str('input_tokens', String(r.tokensIn)),
                str('output_tokens', String(r.tokensOut)),
                str('cache_read_tokens', String(r.cacheRead ?? 0)),
                str('cache_creation_tokens', String(r.cacheWrite ?? 0)),
                str('cost_usd', String(r.cost)),
              ],
            })),
          },
        ],
      },
    ],
  };
}

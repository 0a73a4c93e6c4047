/**
 * GitHub Copilot CLI OTLP spans → contract events. Its telemetry (`OTEL_EXPORTER_OTLP_ENDPOINT` =
 * our `/api/otel`, OTLP/HTTP JSON by default; resource `service.name` "github-copilot", scope
 * "github.copilot") traces each agent turn as GenAI spans, as the real CLI 1.0.102 sends them:
 * - `chat <model>`: one API call, `gen_ai.conversation.id` (the session id of its
 *   `session-state/<id>/events.jsonl`), `gen_ai.response.id` (the provider's response id, which the
 *   log's usage record names too), `gen_ai.usage.input_tokens` INCLUDING
 *   `gen_ai.usage.cache_read.input_tokens` and `gen_ai.usage.cache_write.input_tokens`,
 *   `gen_ai.usage.output_tokens`. It becomes the call's `llm_request` under the importer's id
 *   (`copilotCallKey`), so the two channels count it once.
 * - `execute_tool <tool>`: one tool call, `gen_ai.tool.call.id` (the log's `toolCallId`),
 *   `gen_ai.tool.name`; span status 2 = failed.
 * - `invoke_agent`: the whole turn, its `gen_ai.usage.*` the sum of its chat spans: never counted.
 */
import type { EventInputRaw } from '../contracts/events';
import { copilotCallKey, llmRequestEventId, toolEventId } from '../contracts/eventIds';
import { IGNORED, mapped, rejected, type MapOutcome } from './mappedEvent';
import { attrCount, attrNonNegative, attrString, compactObject } from './otlpAttributes';
import { nanosToMs, type OtlpSpan } from './otlpRecords';

const AGENT = 'copilot-cli';

/** Whether a span comes from Copilot CLI (its service name, else its instrumentation scope). */
export function isCopilotSpan(span: OtlpSpan): boolean {
  return span.resource['service.name'] === 'github-copilot' || span.scope === 'github.copilot';
}

function spanTime(ns: string | null): string | undefined {
  const ms = nanosToMs(ns);
  return ms === null ? undefined : new Date(ms).toISOString();
}

export function mapCopilotSpan(span: OtlpSpan): MapOutcome {
  const a = span.attributes;
  const op = attrString(a, 'gen_ai.operation.name', 64);
  if (op !== 'chat' && op !== 'execute_tool') return IGNORED;
  const session = attrString(a, 'gen_ai.conversation.id', 256);
  if (!session) return rejected(`span ${span.name}: attribute gen_ai.conversation.id is missing`);
  const start = nanosToMs(span.startTimeUnixNano);
  const end = nanosToMs(span.endTimeUnixNano);
  const duration = start !== null && end !== null && end >= start ? end - start : undefined;
  const failed = span.statusCode === 2;
  if (op === 'execute_tool') {
    const callId = attrString(a, 'gen_ai.tool.call.id', 200);
    if (!callId) return rejected(`span ${span.name}: attribute gen_ai.tool.call.id is missing`);
    const ev: EventInputRaw = {
      session_id: session,
      agent_type: AGENT,
      source: 'otel',
      event_type: 'tool_use',
      event_id: toolEventId(AGENT, callId),
      client_timestamp: spanTime(span.startTimeUnixNano),
      tool_name: attrString(a, 'gen_ai.tool.name', 200),
      status: failed ? 'error' : 'success',
      duration_ms: duration,
      metadata: compactObject({ call_id: callId, error: failed ? span.statusMessage || undefined : undefined }),
    };
    return mapped(ev);
  }
  const responseId = attrString(a, 'gen_ai.response.id', 200);
  if (!responseId) return rejected(`span ${span.name}: attribute gen_ai.response.id is missing`);
  const input = attrCount(a, 'gen_ai.usage.input_tokens') ?? 0;
  const output = attrCount(a, 'gen_ai.usage.output_tokens') ?? 0;
  if (input + output === 0) return IGNORED;
  const cacheRead = Math.min(attrCount(a, 'gen_ai.usage.cache_read.input_tokens') ?? 0, input);
  const cacheWrite = Math.min(attrCount(a, 'gen_ai.usage.cache_write.input_tokens') ?? 0, input - cacheRead);
  return mapped({
    session_id: session,
    agent_type: AGENT,
    source: 'otel',
    event_type: 'llm_request',
    event_id: llmRequestEventId(AGENT, copilotCallKey(session, responseId)),
    client_timestamp: spanTime(span.startTimeUnixNano),
    model: attrString(a, 'gen_ai.response.model', 200) ?? attrString(a, 'gen_ai.request.model', 200),
    tokens_in: input - cacheRead - cacheWrite,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    tokens_out: output,
    reasoning_tokens: attrCount(a, 'gen_ai.usage.reasoning.output_tokens'),
    duration_ms: duration ?? attrNonNegative(a, 'github.copilot.server_duration'),
    status: failed ? 'error' : 'success',
    metadata: compactObject({ otel_span: span.name, api_call_id: responseId, initiator: attrString(a, 'github.copilot.initiator', 64) }),
  });
}

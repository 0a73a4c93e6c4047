/**
 * Gemini CLI OTLP log events → contract events. Its telemetry (settings.json `telemetry`:
 * `enabled`, `otlpEndpoint` = our `/api/otel`, `otlpProtocol` = "http": JSON to
 * `<endpoint>/v1/logs`) sends one `gemini_cli.api_response` per API call with the API's usage
 * (`input_token_count` includes `cached_content_token_count`; `thoughts_token_count` bills as
 * output; `tool_token_count` as input), `model`, `duration_ms`, and `session.id`. It becomes the
 * call's `llm_request` under the id the chat-log importer gives the same call (`geminiUsageKey`),
 * so the two channels count it once; calls the chat log never shows (the model router's
 * classifier, other side calls) are counted from here alone. Other records (prompts, tool calls:
 * without the chat log's call ids) are left to the chat log.
 */
import { geminiUsageKey, llmRequestEventId } from '../contracts/eventIds';
import { IGNORED, eventNameOf, mapped, rejected, type MapOutcome } from './mappedEvent';
import { attrCount, attrNonNegative, attrString, compactObject } from './otlpAttributes';
import { logRecordTime, type OtlpLogRecord } from './otlpRecords';

const AGENT = 'gemini-cli';

export function mapGeminiLogRecord(rec: OtlpLogRecord): MapOutcome {
  const a = rec.attributes;
  const name = eventNameOf(rec, '');
  if (name !== 'gemini_cli.api_response') return IGNORED;
  const session = attrString(a, 'session.id', 256) ?? attrString(rec.resource, 'session.id', 256);
  if (!session) return rejected(`${name}: attribute session.id is missing`);
  const u = {
    input: attrCount(a, 'input_token_count') ?? 0,
    output: attrCount(a, 'output_token_count') ?? 0,
    cached: attrCount(a, 'cached_content_token_count') ?? 0,
    thoughts: attrCount(a, 'thoughts_token_count') ?? 0,
    tool: attrCount(a, 'tool_token_count') ?? 0,
  };
  if (u.input + u.output + u.thoughts + u.tool === 0) return IGNORED;
  const cached = Math.min(u.cached, u.input);
  const status = attrCount(a, 'status_code');
  return mapped({
    session_id: session,
    agent_type: AGENT,
    source: 'otel',
    event_type: 'llm_request',
    event_id: llmRequestEventId(AGENT, geminiUsageKey(session, u)),
    client_timestamp: attrString(a, 'event.timestamp', 64) ?? logRecordTime(rec),
    model: attrString(a, 'model', 200),
    tokens_in: u.input - cached + u.tool,
    cache_read_tokens: cached,
    tokens_out: u.output + u.thoughts,
    reasoning_tokens: u.thoughts,
    duration_ms: attrNonNegative(a, 'duration_ms'),
    status: status === undefined || status < 400 ? 'success' : 'error',
    metadata: compactObject({ otel_event: name, prompt_id: attrString(a, 'prompt_id', 200), role: attrString(a, 'role', 64) }),
  });
}

/**
 * Codex OTLP log events → contract events. Usage arrives on `codex.sse_event` records of kind
 * `response.completed` (token counts as strings); such an event's id is the ordinal of the response
 * within its conversation (`codexResponseKey`), assigned by the store in arrival order and kept
 * per record, so the rollout importer, which numbers changed `total_token_usage` events the same
 * way, derives the same id. Prompts are numbered per conversation likewise, and the session start
 * uses the importer's id, so a conversation seen both ways shows each once. `codex.api_request` (one HTTP attempt, no usage) is folded into the
 * usage event that follows it in the same batch, or stored as an error when it failed.
 */
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, toolEventId } from '../contracts/eventIds';
import { toolOutcome } from '../importers/codexToolOutcome';
import { IGNORED, eventNameOf, mapped, recordDiscriminator, rejected, toolDecisionFields, toolResultFields, type MapOutcome } from './mappedEvent';
import { attrCount, attrNonNegative, attrNumber, attrPrompt, attrString, compactObject } from './otlpAttributes';
import { logRecordTime, type OtlpLogRecord } from './otlpRecords';

const AGENT = 'codex';

interface PendingApiRequest {
  duration_ms?: number;
  http_status?: number;
  attempt?: number;
}

/** Per-request state: the last successful `codex.api_request` of each conversation. */
export class CodexBatchState {
  readonly pendingApi = new Map<string, PendingApiRequest>();
}

export function mapCodexLogRecord(rec: OtlpLogRecord, state: CodexBatchState): MapOutcome {
  const a = rec.attributes;
  const name = eventNameOf(rec, '');
  if (!name.startsWith('codex.')) return IGNORED;
  const kind = name.slice('codex.'.length);
  if (!HANDLED.has(kind)) return IGNORED;
  const conv = attrString(a, 'conversation.id', 256);
  if (!conv) return rejected(`${name}: attribute conversation.id is missing`);
  const disc = recordDiscriminator(rec);
  const base = (fields: Omit<EventInputRaw, 'session_id' | 'agent_type'>, meta: Record<string, unknown>): EventInputRaw => ({
    session_id: conv,
    agent_type: AGENT,
    source: 'otel',
    client_timestamp: logRecordTime(rec),
    model: attrString(a, 'model', 200),
    ...fields,
    metadata: compactObject({ otel_event: name, ...meta }),
  });
  const fallbackId = (k: string) => (disc ? channelEventId(k, AGENT, conv, disc) : undefined);
  const callId = attrString(a, 'call_id', 200);
  const toolName = attrString(a, 'tool_name', 200);

  switch (kind) {
    case 'conversation_starts':
      return mapped(
        base(
          { event_type: 'session_start', event_id: channelEventId('session_start', AGENT, conv, 'rollout') },
          {
            app_version: attrString(a, 'app.version', 50),
            originator: attrString(a, 'originator', 100),
            provider: attrString(a, 'provider_name', 100),
            approval_policy: attrString(a, 'approval_policy', 100),
            sandbox_policy: attrString(a, 'sandbox_policy', 100),
            reasoning_effort: attrString(a, 'reasoning_effort', 50),
            mcp_servers: attrString(a, 'mcp_servers', 500),
          },
        ),
      );
    case 'user_prompt':
      return mapped(
        base({ event_type: 'user_prompt' }, { prompt: attrPrompt(a), prompt_length: attrCount(a, 'prompt_length') }),
        { kind: 'prompt', conversationId: conv, recordKey: recordTimeKey(rec) },
      );
    case 'api_request': {
      const httpStatus = attrNumber(a, 'http.response.status_code');
      const error = attrString(a, 'error.message') ?? attrString(a, 'error');
      if (error || (httpStatus !== undefined && httpStatus >= 400)) {
        return mapped(
          base(
            { event_type: 'error', event_id: fallbackId('api_error'), status: 'error', duration_ms: attrNonNegative(a, 'duration_ms') },
            { error, http_status: httpStatus, attempt: attrCount(a, 'attempt'), endpoint: attrString(a, 'endpoint', 200) },
          ),
        );
      }
      state.pendingApi.set(conv, { duration_ms: attrNonNegative(a, 'duration_ms'), http_status: httpStatus, attempt: attrCount(a, 'attempt') });
      return IGNORED;
    }
    case 'sse_event':
      return mapSseEvent(rec, conv, state, base, fallbackId);
    case 'tool_decision': {
      const decision = attrString(a, 'decision', 50);
      const approved = !decision || decision.startsWith('approved');
      if (approved && !callId) return IGNORED;
      return mapped(
        base(
          toolDecisionFields(approved, toolName, callId ? toolEventId(AGENT, callId) : fallbackId('tool')),
          { decision, decision_source: attrString(a, 'source', 50), call_id: callId },
        ),
      );
    }
    case 'tool_result':
      return mapped(
        base(
          withExitStatus(toolResultFields(a, toolName, callId ? toolEventId(AGENT, callId) : fallbackId('tool')), attrString(a, 'output')),
          {
            call_id: callId,
            input: attrString(a, 'arguments'),
            output: attrString(a, 'output'),
            mcp_server: attrString(a, 'mcp_server', 200),
          },
        ),
      );
  }
  return IGNORED;
}

type Base = (fields: Omit<EventInputRaw, 'session_id' | 'agent_type'>, meta: Record<string, unknown>) => EventInputRaw;

function mapSseEvent(
  rec: OtlpLogRecord,
  conv: string,
  state: CodexBatchState,
  base: Base,
  fallbackId: (k: string) => string | undefined,
): MapOutcome {
  const a = rec.attributes;
  const sseKind = attrString(a, 'event.kind', 100);
  const error = attrString(a, 'error.message') ?? attrString(a, 'error');
  if (sseKind === 'response.failed' || (error && sseKind !== 'response.completed')) {
    return mapped(base({ event_type: 'error', event_id: fallbackId('api_error'), status: 'error' }, { error, sse_kind: sseKind }));
  }
  if (sseKind !== 'response.completed') return IGNORED;
  const input = attrCount(a, 'input_token_count');
  const output = attrCount(a, 'output_token_count');
  // Codex logs response.completed twice; only the record with counts is the usage.
  if (input === undefined && output === undefined) return IGNORED;
  const cached = attrCount(a, 'cached_token_count') ?? 0;
  const api = state.pendingApi.get(conv);
  state.pendingApi.delete(conv);
  return mapped(
    base(
      {
        event_type: 'llm_request',
        status: 'success',
        tokens_in: Math.max(0, (input ?? 0) - cached),
        cache_read_tokens: cached,
        tokens_out: output,
        reasoning_tokens: attrCount(a, 'reasoning_token_count'),
        duration_ms: api?.duration_ms,
      },
      {
        input_tokens: input,
        cache_write_tokens_reported: attrCount(a, 'cache_write_token_count') || undefined,
        tool_tokens: attrCount(a, 'tool_token_count'),
        http_status: api?.http_status,
        attempt: api?.attempt,
      },
    ),
    { kind: 'response', conversationId: conv, recordKey: `${recordTimeKey(rec)}:${input ?? ''}:${output ?? ''}:${cached}` },
  );
}

/** The record's own time, which a re-sent export repeats: part of the key its ordinal is kept under. */
function recordTimeKey(rec: OtlpLogRecord): string {
  return rec.timeUnixNano ?? rec.observedTimeUnixNano ?? attrString(rec.attributes, 'event.timestamp', 50) ?? `#${rec.index}`;
}

/** A shell command that exited non-zero is a failed call, though Codex says `success: true`. */
function withExitStatus<T extends { status?: EventInputRaw['status'] }>(fields: T, output: string | undefined): T {
  return fields.status === 'success' && output && toolOutcome(output).status === 'error' ? { ...fields, status: 'error' } : fields;
}

const HANDLED = new Set(['conversation_starts', 'user_prompt', 'api_request', 'sse_event', 'tool_decision', 'tool_result']);

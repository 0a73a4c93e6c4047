/**
 * Claude Code OTLP log events → contract events. `api_request` carries the agent's own cost and
 * its `request_id`, which equals the transcript's `requestId`: both channels derive the same
 * `event_id`, so the call is counted once. Tool events use `tool_use_id` like the hooks do.
 */
import type { EventInputRaw } from '../contracts/events';
import { channelEventId, llmRequestEventId, toolEventId } from '../contracts/eventIds';
import { IGNORED, eventNameOf, mapped, recordDiscriminator, rejected, toolDecisionFields, toolResultFields, type MapOutcome } from './mappedEvent';
import { attrBool, attrCount, attrNonNegative, attrPrompt, attrString, compactObject } from './otlpAttributes';
import { logRecordTime, type OtlpLogRecord } from './otlpRecords';

const AGENT = 'claude-code';

export function mapClaudeLogRecord(rec: OtlpLogRecord): MapOutcome {
  const a = rec.attributes;
  const name = eventNameOf(rec, 'claude_code.');
  if (!HANDLED.has(name)) return IGNORED;
  const sid = attrString(a, 'session.id', 256);
  if (!sid) return rejected(`${name}: attribute session.id is missing`);
  const disc = recordDiscriminator(rec);
  const promptId = attrString(a, 'prompt.id', 100);
  const base = (fields: Omit<EventInputRaw, 'session_id' | 'agent_type'>, meta: Record<string, unknown>): EventInputRaw => ({
    session_id: sid,
    agent_type: AGENT,
    source: 'otel',
    client_timestamp: logRecordTime(rec),
    ...fields,
    metadata: compactObject({ otel_event: name, prompt_id: promptId, ...meta }),
  });
  const fallbackId = (kind: string) => (disc ? channelEventId(kind, AGENT, sid, disc) : undefined);
  const toolUseId = attrString(a, 'tool_use_id', 200);
  const toolName = attrString(a, 'tool_name', 200);

  switch (name) {
    case 'user_prompt':
      return mapped(
        base(
          { event_type: 'user_prompt', event_id: promptId ? channelEventId('user_prompt', AGENT, sid, promptId) : fallbackId('user_prompt') },
          { prompt: attrPrompt(a), prompt_length: attrCount(a, 'prompt_length') },
        ),
      );
    case 'api_request': {
      const requestId = attrString(a, 'request_id', 200);
      return mapped(
        base(
          {
            event_type: 'llm_request',
            event_id: requestId ? llmRequestEventId(AGENT, requestId) : fallbackId('llm'),
            status: 'success',
            model: attrString(a, 'model', 200),
            tokens_in: attrCount(a, 'input_tokens'),
            tokens_out: attrCount(a, 'output_tokens'),
            cache_read_tokens: attrCount(a, 'cache_read_tokens'),
            cache_write_tokens: attrCount(a, 'cache_creation_tokens'),
            cost_usd: attrNonNegative(a, 'cost_usd'),
            duration_ms: attrNonNegative(a, 'duration_ms'),
          },
          {
            request_id: requestId,
            speed: attrString(a, 'speed', 50),
            query_source: attrString(a, 'query_source', 100),
            agent_name: attrString(a, 'agent.name', 100),
          },
        ),
      );
    }
    case 'api_error':
      return mapped(
        base(
          {
            event_type: 'error',
            event_id: fallbackId('api_error'),
            status: 'error',
            model: attrString(a, 'model', 200),
            duration_ms: attrNonNegative(a, 'duration_ms'),
          },
          {
            error: attrString(a, 'error'),
            status_code: attrString(a, 'status_code', 20),
            attempt: attrCount(a, 'attempt'),
            request_id: attrString(a, 'request_id', 200),
          },
        ),
      );
    case 'tool_decision': {
      const accepted = attrString(a, 'decision', 50) !== 'reject';
      // An accepted tool without an id could never be completed: its tool_result says it all.
      if (accepted && !toolUseId) return IGNORED;
      return mapped(
        base(
          toolDecisionFields(accepted, toolName, toolUseId ? toolEventId(AGENT, toolUseId) : fallbackId('tool')),
          { decision: attrString(a, 'decision', 50), decision_source: attrString(a, 'source', 50), tool_use_id: toolUseId },
        ),
      );
    }
    case 'tool_result':
      return mapped(
        base(
          toolResultFields(a, toolName, toolUseId ? toolEventId(AGENT, toolUseId) : fallbackId('tool')),
          {
            tool_use_id: toolUseId,
            input: attrString(a, 'tool_input') ?? attrString(a, 'tool_parameters'),
            error: attrString(a, 'error'),
            error_type: attrString(a, 'error_type', 100),
            decision: attrString(a, 'decision', 50),
            result_size_bytes: attrCount(a, 'tool_result_size_bytes'),
          },
        ),
      );
    case 'subagent_completed':
      return mapped(
        base(
          {
            event_type: 'subagent_stop',
            event_id: fallbackId('subagent_stop'),
            model: attrString(a, 'model', 200),
            duration_ms: attrNonNegative(a, 'duration_ms'),
          },
          {
            subagent_type: attrString(a, 'agent_type', 100),
            // The subagent's own api_request events carry its tokens; this total is informational.
            subagent_total_tokens: attrCount(a, 'total_tokens'),
            subagent_tool_uses: attrCount(a, 'total_tool_uses'),
            is_async: attrBool(a, 'is_async'),
          },
        ),
      );
    case 'hook_execution_complete': {
      const failures = (attrCount(a, 'num_non_blocking_error') ?? 0) + (attrCount(a, 'num_cancelled') ?? 0);
      return mapped(
        base(
          {
            event_type: 'hook_event',
            event_id: fallbackId('hook_execution'),
            status: failures > 0 ? 'error' : 'success',
            duration_ms: attrNonNegative(a, 'total_duration_ms'),
          },
          {
            hook_event: attrString(a, 'hook_event', 100),
            hook_name: attrString(a, 'hook_name', 200),
            num_hooks: attrCount(a, 'num_hooks'),
            num_success: attrCount(a, 'num_success'),
            num_blocking: attrCount(a, 'num_blocking'),
            num_errors: failures || undefined,
          },
        ),
      );
    }
    case 'assistant_response': {
      const requestId = attrString(a, 'request_id', 200);
      return mapped(
        base(
          {
            event_type: 'response',
            event_id: requestId ? channelEventId('response', AGENT, sid, requestId) : fallbackId('response'),
            model: attrString(a, 'model', 200),
          },
          { text: attrString(a, 'response'), response_length: attrCount(a, 'response_length'), request_id: requestId },
        ),
      );
    }
  }
  return IGNORED;
}

/** Claude Code log events that become events; the rest (hook registration, starts) are noise. */
const HANDLED = new Set([
  'user_prompt',
  'api_request',
  'api_error',
  'tool_decision',
  'tool_result',
  'subagent_completed',
  'hook_execution_complete',
  'assistant_response',
]);

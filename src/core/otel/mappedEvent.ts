/**
 * What the per-agent OTLP log mappers produce: an event for the contract, or a reason to ignore or
 * reject the record. A Codex usage or prompt event waits for its ordinal within the conversation
 * (assigned by the store, see `eventIds.ts`) before it gets its `event_id`.
 */
import type { EventInputRaw } from '../contracts/events';
import { attrBool, attrNonNegative } from './otlpAttributes';
import type { Attributes, OtlpLogRecord } from './otlpRecords';

/**
 * Which Codex events are numbered per conversation, as the rollout importer numbers them. Each
 * kind is its own sequence: `prompt` for OTLP `codex.user_prompt` records, `hook_prompt` for
 * UserPromptSubmit hooks (keyed by turn id), so each channel counts the prompts it saw.
 */
export type CodexOrdinalKind = 'response' | 'prompt' | 'hook_prompt';

export interface CodexOrdinalRef {
  kind: CodexOrdinalKind;
  conversationId: string;
  /** Identifies the OTLP record itself, so a re-sent record gets the same ordinal. */
  recordKey: string;
}

export interface MappedEvent {
  raw: EventInputRaw;
  codexOrdinal?: CodexOrdinalRef;
}

export type MapOutcome =
  | { kind: 'event'; event: MappedEvent }
  | { kind: 'ignored' }
  | { kind: 'rejected'; reason: string };

export const IGNORED: MapOutcome = { kind: 'ignored' };

export function rejected(reason: string): MapOutcome {
  return { kind: 'rejected', reason };
}

export function mapped(raw: EventInputRaw, codexOrdinal?: CodexOrdinalRef): MapOutcome {
  return { kind: 'event', event: codexOrdinal ? { raw, codexOrdinal } : { raw } };
}

/**
 * The event name without the agent prefix: attribute `event.name`, else the record's `eventName`
 * (OTLP 1.5+ `LogRecord.event_name`, all that current OpenTelemetry SDKs set, e.g.
 * `claude_code.api_request`), else the body. The attribute comes first because Codex's Rust exporter
 * fills `event_name` with its tracing call site ("event otel/src/events/session_telemetry.rs:1089")
 * and names the event only in the attribute.
 */
export function eventNameOf(rec: OtlpLogRecord, prefix: string): string {
  const attr = rec.attributes['event.name'];
  const name = typeof attr === 'string' && attr ? attr : rec.eventName ? rec.eventName : typeof rec.body === 'string' ? rec.body : '';
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/**
 * A stable discriminator for a record without a natural id: its timestamps and sequence, so a
 * re-sent batch maps to the same event ids. Null when the record has nothing stable.
 */
export function recordDiscriminator(rec: OtlpLogRecord): string | null {
  const t = rec.timeUnixNano ?? rec.observedTimeUnixNano;
  const seq = rec.attributes['event.sequence'];
  const s = typeof seq === 'number' || typeof seq === 'string' ? String(seq) : '';
  if (!t && !s) return null;
  return `otel:${t ?? ''}:${s}`;
}

/** The contract fields of a finished tool call (both agents report `success` and `duration_ms`). */
export function toolResultFields(a: Attributes, toolName: string | undefined, eventId: string | undefined): ToolFields {
  return {
    event_type: 'tool_use',
    tool_name: toolName,
    status: attrBool(a, 'success') === false ? 'error' : 'success',
    duration_ms: attrNonNegative(a, 'duration_ms'),
    event_id: eventId,
  };
}

/** A permission decision: approved → the call is running (its result completes it), else it failed. */
export function toolDecisionFields(approved: boolean, toolName: string | undefined, eventId: string | undefined): ToolFields {
  return { event_type: 'tool_use', tool_name: toolName, status: approved ? 'running' : 'error', event_id: eventId };
}

type ToolFields = Pick<EventInputRaw, 'event_type' | 'tool_name' | 'status' | 'duration_ms' | 'event_id'>;

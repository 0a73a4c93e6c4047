/**
 * What the transcript parsers share: a parser is fed complete lines of one file, in order, and
 * hands back events (with deterministic `event_id`s) and the lines it had to skip. Its state is
 * plain JSON so an incremental import can carry it from one pass to the next (`import_state`).
 */
import type { EventInputRaw, EventType } from '../contracts/events';

/** The `kind` of one of the registered agents' log sources (`importers/logSources.ts`): `claude`, `copilot-store`, … */
export type LogKind = string;

export interface SkippedLine {
  line: number;
  reason: string;
}

export interface LogParser {
  /** One complete line (no newline); `lineNo` is 1-based within the file. */
  line(text: string, lineNo: number): void;
  /** Events ready to ingest. Groups still open (same API response) are kept until `final`. */
  drain(final: boolean): EventInputRaw[];
  /** Skipped lines since the last call, then cleared. */
  takeSkipped(): SkippedLine[];
  /** Parser state to resume with on the next pass (JSON-serializable). */
  state(): unknown;
}

/** Cap of an answer's text (and of Claude's thinking) in an event's metadata, as the hooks cap text. */
export const ANSWER_TEXT_MAX = 4000;

/**
 * Cap of a tool's output kept in its event's metadata (`metadata.output`; `metadata.output_chars`
 * is the whole output's length when it was cut): the head a reader needs, far below the metadata cap.
 */
export const TOOL_OUTPUT_MAX = 2000;

/**
 * The metadata fields of a tool's output text: its head, and its length when cut. `total` is the
 * whole output's length when `text` is already only its head.
 */
export function toolOutputFields(text: string | undefined, total = text?.length ?? 0): { output?: string; output_chars?: number } {
  if (!text) return {};
  const t = text.length > TOOL_OUTPUT_MAX + 1000 ? text.slice(0, TOOL_OUTPUT_MAX + 1000).trim() : text.trim();
  if (!t) return {};
  if (t.length <= TOOL_OUTPUT_MAX && total <= text.length) return { output: t };
  if (t.length <= TOOL_OUTPUT_MAX) return { output: `${t}…`, output_chars: total };
  // Never split a surrogate pair.
  const end = t.charCodeAt(TOOL_OUTPUT_MAX - 1) >= 0xd800 && t.charCodeAt(TOOL_OUTPUT_MAX - 1) <= 0xdbff ? TOOL_OUTPUT_MAX - 1 : TOOL_OUTPUT_MAX;
  return { output: `${t.slice(0, end)}…`, output_chars: Math.max(total, text.length) };
}

/** Text of at most `max` characters (metadata stays lean). */
export function clip(s: unknown, max: number): string | undefined {
  if (typeof s !== 'string' || !s) return undefined;
  return s.length > max ? s.slice(0, max) + '…' : s;
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The fields every event of a log line starts with. */
export type EventBase = Pick<EventInputRaw, 'session_id' | 'agent_type' | 'source' | 'client_timestamp' | 'project' | 'branch'>;

/**
 * A new event: `base`'s fields, `event_type`, then `fields`, in that order, i.e. what
 * `{ ...base, event_type, ...fields }` builds. Not written as a spread: V8 builds those literals
 * many times slower (in the profiles, most of the parsers' own time; without, the Codex and Claude
 * parsers take a third and two fifths of their time on the benchmark logs).
 */
export function eventOf(base: EventBase, event_type: EventType, fields: Omit<EventInputRaw, keyof EventBase | 'event_type'>): EventInputRaw {
  const e: EventInputRaw = {
    session_id: base.session_id,
    agent_type: base.agent_type,
    source: base.source,
    client_timestamp: base.client_timestamp,
    project: base.project,
    branch: base.branch,
    event_type,
  };
  return Object.assign(e, fields);
}

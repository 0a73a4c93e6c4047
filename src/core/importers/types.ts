/**
 * What the transcript parsers share: a parser is fed complete lines of one file, in order, and
 * hands back events (with deterministic `event_id`s) and the lines it had to skip. Its state is
 * plain JSON so an incremental import can carry it from one pass to the next (`import_state`).
 */
import type { EventInputRaw } from '../contracts/events';

export type LogKind = 'claude' | 'codex';

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

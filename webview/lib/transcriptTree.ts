/**
 * Subagent turns nested under the call that ran them (issue 17). Claude Code names the subagent
 * an Agent (Task) call ran in the call's result (`detail.subagent_id` from the transcript,
 * `detail.output.agent_id` from a PostToolUse hook); the subagent's own entries carry that id as
 * `detail.agent_id`. Entries of a subagent whose call is not among the loaded entries stay in place.
 */
import type { TranscriptEntry } from '../../src/core/contracts/api';

export interface TranscriptNode {
  entry: TranscriptEntry;
  /** The subagent turns of this call, in time order. */
  children: TranscriptEntry[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** The subagent a call ran, or null. */
export function calledSubagent(e: TranscriptEntry): string | null {
  if (e.kind !== 'tool') return null;
  const out = e.detail?.output;
  return str(e.detail?.subagent_id) ?? (out && typeof out === 'object' && !Array.isArray(out) ? str((out as Record<string, unknown>).agent_id) : null);
}

/** The subagent an entry belongs to (one of this session's sidechains), or null. */
export function entrySubagent(e: TranscriptEntry): string | null {
  if (typeof e.detail?.session_id === 'string') return null;
  return str(e.detail?.agent_id);
}

export function transcriptTree(entries: readonly TranscriptEntry[]): TranscriptNode[] {
  const callOf = new Map<string, TranscriptNode>();
  const nodes: TranscriptNode[] = [];
  for (const e of entries) {
    const id = calledSubagent(e);
    if (id && !callOf.has(id)) callOf.set(id, { entry: e, children: [] });
  }
  for (const e of entries) {
    const call = callOf.get(entrySubagent(e) ?? '');
    if (call && call.entry !== e) {
      call.children.push(e);
      continue;
    }
    const id = calledSubagent(e);
    nodes.push(id && callOf.get(id)?.entry === e ? callOf.get(id)! : { entry: e, children: [] });
  }
  return nodes;
}

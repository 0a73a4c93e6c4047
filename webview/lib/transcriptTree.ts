/**
 * Subagent turns nested under the call that ran them (issue 17). Claude Code names the subagent
 * an Agent (Task) call ran in the call's result (`detail.subagent_id` from the transcript,
 * `detail.output.agent_id` from a PostToolUse hook); the subagent's own entries carry that id as
 * `detail.agent_id`. While the call runs (no result yet), the subagent's start is matched to it by
 * the prompt the call gave (`detail.input.prompt`, as the start's `detail.prompt` begins). Entries
 * of a subagent whose call is not among the loaded entries stay in place.
 */
import type { TranscriptEntry } from '../../src/core/contracts/api';

export interface TranscriptNode {
  entry: TranscriptEntry;
  /** The subagent this call ran, when its turns are nested here. */
  agent?: string;
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

/** The prompt an Agent call gave, without the mark of a cut, or null. */
function callPrompt(e: TranscriptEntry): string | null {
  const input = e.kind === 'tool' ? e.detail?.input : null;
  const p = input && typeof input === 'object' && !Array.isArray(input) ? str((input as Record<string, unknown>).prompt) : null;
  return p ? p.replace(/…$/, '') : null;
}

export function transcriptTree(entries: readonly TranscriptEntry[]): TranscriptNode[] {
  const callOf = new Map<string, TranscriptNode>();
  const nodes: TranscriptNode[] = [];
  /** The node of each call that ran a subagent. */
  const calls = new Map<TranscriptEntry, TranscriptNode>();
  const claim = (agent: string, e: TranscriptEntry) => {
    const n: TranscriptNode = { entry: e, agent, children: [] };
    callOf.set(agent, n);
    calls.set(e, n);
  };
  for (const e of entries) {
    const id = calledSubagent(e);
    if (id && !callOf.has(id) && !calls.has(e)) claim(id, e);
  }
  // Calls still running: the nearest earlier unclaimed call whose prompt the subagent's start begins with.
  for (let i = 0; i < entries.length; i++) {
    const start = entries[i];
    const agent = start.kind === 'subagent' ? entrySubagent(start) : null;
    const prompt = agent && !callOf.has(agent) ? str(start.detail?.prompt)?.replace(/…$/, '') : null;
    if (!agent || !prompt) continue;
    for (let j = i - 1; j >= 0; j--) {
      const c = entries[j];
      const given = calls.has(c) ? null : callPrompt(c);
      if (!given || !(prompt.startsWith(given) || given.startsWith(prompt))) continue;
      claim(agent, c);
      break;
    }
  }
  for (const e of entries) {
    const call = callOf.get(entrySubagent(e) ?? '');
    if (call && call.entry !== e) {
      call.children.push(e);
      continue;
    }
    nodes.push(calls.get(e) ?? { entry: e, children: [] });
  }
  return nodes;
}

/**
 * Per-turn totals of a transcript (issue 17: "per-turn tokens/cost"): a turn is a prompt and
 * everything after it until the next prompt, subagent work included. Over the entries loaded so far.
 */
import type { TranscriptEntry } from '../../src/core/contracts/api';

export interface TurnTotals {
  tokens: number;
  cost_usd: number;
  calls: number;
}

/** The totals of each turn, by the id of the prompt entry that opens it. */
export function turnTotals(entries: readonly TranscriptEntry[]): Map<number, TurnTotals> {
  const out = new Map<number, TurnTotals>();
  let current: TurnTotals | null = null;
  for (const e of entries) {
    if (e.kind === 'prompt' && typeof e.detail?.session_id !== 'string') {
      current = { tokens: 0, cost_usd: 0, calls: 0 };
      out.set(e.id, current);
      continue;
    }
    if (!current) continue;
    current.tokens += e.tokens_in + e.tokens_out;
    current.cost_usd += e.cost_usd ?? 0;
    if (e.event_type === 'llm_request') current.calls++;
  }
  return out;
}

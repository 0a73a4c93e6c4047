/** Per-turn totals of a transcript (issue 17): a prompt's turn runs to the next prompt, subagent work included. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TranscriptEntry } from '../../src/core/contracts/api';
import { turnTotals } from '../../webview/lib/turns';

const entry = (id: number, kind: TranscriptEntry['kind'], event_type: string, extra: Partial<TranscriptEntry> = {}): TranscriptEntry => ({
  id, at: '2026-11-24T00:00:00.000Z', kind, event_type, text: null, tool_name: null, status: null, duration_ms: null, model: null, tokens_in: 0, tokens_out: 0, cost_usd: null, output: null, detail: null, ...extra,
});

test('each prompt totals the calls, tokens and cost up to the next prompt; a subagent prompt does not start a turn', () => {
  const t = turnTotals([
    entry(1, 'answer', 'llm_request', { tokens_in: 5, tokens_out: 5, cost_usd: 9 }),
    entry(2, 'prompt', 'user_prompt'),
    entry(3, 'answer', 'llm_request', { tokens_in: 100, tokens_out: 20, cost_usd: 0.5 }),
    entry(4, 'tool', 'tool_use'),
    entry(5, 'prompt', 'user_prompt', { detail: { session_id: 'sub-1' } }),
    entry(6, 'answer', 'llm_request', { tokens_in: 10, tokens_out: 2, cost_usd: 0.25, detail: { session_id: 'sub-1' } }),
    entry(7, 'answer', 'response'),
    entry(8, 'prompt', 'user_prompt'),
  ]);
  assert.deepEqual([...t.entries()], [
    [2, { tokens: 132, cost_usd: 0.75, calls: 2 }],
    [8, { tokens: 0, cost_usd: 0, calls: 0 }],
  ]);
});

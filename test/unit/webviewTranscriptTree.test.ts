/** Subagent turns nested under the Agent call that ran them (issue 17). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TranscriptEntry } from '../../src/core/contracts/api';
import { transcriptTree } from '../../webview/lib/transcriptTree';

const entry = (id: number, kind: TranscriptEntry['kind'], detail: Record<string, unknown> | null = null): TranscriptEntry => ({
  id, at: '2026-11-24T00:00:00.000Z', kind, event_type: kind === 'tool' ? 'tool_use' : 'response', text: null, tool_name: null, status: null, duration_ms: null, model: null, tokens_in: 0, tokens_out: 0, cost_usd: null, output: null, detail,
});

test("a subagent's entries go under the call that names it (transcript or hook), in order; others stay in place", () => {
  const tree = transcriptTree([
    entry(1, 'prompt'),
    entry(2, 'tool', { subagent_id: 'a1' }),
    entry(3, 'subagent', { agent_id: 'a1', sidechain: true }),
    entry(4, 'answer', { agent_id: 'a1', sidechain: true }),
    entry(5, 'tool', { output: { agent_id: 'a2' } }),
    entry(6, 'tool', { agent_id: 'a2' }),
    entry(7, 'answer', { agent_id: 'a3' }),
    entry(8, 'answer', { agent_id: 'a1', session_id: 'child-session' }),
    entry(9, 'answer'),
  ]);
  assert.deepEqual(
    tree.map((n) => [n.entry.id, n.children.map((c) => c.id)]),
    [[1, []], [2, [3, 4]], [5, [6]], [7, []], [8, []], [9, []]],
  );
});

test('while its call runs (no result yet), a subagent is nested under the call that gave its prompt', () => {
  const long = `Run wc -c README.md and report. ${'x'.repeat(300)}`;
  const tree = transcriptTree([
    entry(1, 'tool', { input: { prompt: 'Something else entirely' } }),
    entry(2, 'tool', { input: { prompt: `${long.slice(0, 200)}…` } }),
    entry(3, 'subagent', { agent_id: 'a9', prompt: `${long.slice(0, 500)}…` }),
    entry(4, 'tool', { agent_id: 'a9' }),
    entry(5, 'subagent', { agent_id: 'b1', prompt: 'No call gave this' }),
  ]);
  assert.deepEqual(
    tree.map((n) => [n.entry.id, n.agent ?? null, n.children.map((c) => c.id)]),
    [[1, null, []], [2, 'a9', [3, 4]], [5, null, []]],
  );
});

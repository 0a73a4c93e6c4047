/**
 * `validateEvent` first tries a cheaper schema for events already in canonical form; everything
 * else goes through `EventInputSchema`. For any input the answer must be the one
 * `EventInputSchema` alone gives: accepted with the same value (same keys, in the same order), or
 * refused with the same errors. Compared here on generated inputs that vary every field around
 * its limits.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventInputSchema, validateEvent } from '../../src/core/contracts/events';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const now = Date.now();
const STRINGS = (max: number) => ['a', 'x'.repeat(max), 'x'.repeat(max + 1), ' padded ', '\tx', 'x\n', '', '   ', 'é', 'ü\u00a0', '\u00a0x', 'x\ufeff', '🙂', '\ud800', 'a\udc00b', 'Bash', 'mcp__srv__tool', null, undefined, 5, true, {}];
const FIELDS: Record<string, unknown[]> = {
  session_id: STRINGS(256),
  agent_type: ['claude-code', 'codex', 'claude_code', 'my.agent:1/x-y', '-bad', 'has space', ' codex', 'x'.repeat(64), 'x'.repeat(65), '', 'é', null, 3],
  event_type: ['tool_use', 'llm_request', 'llm_response', 'instruction_load', 'session_start', 'bogus', '', null, 1],
  event_id: STRINGS(256),
  tool_name: STRINGS(256),
  status: ['success', 'error', 'running', 'timeout', 'ok', '', null],
  model: STRINGS(256),
  tokens_in: [0, 1, 1200, 1e12, 1e12 + 1, -1, -0, 1.5, '5', null, 2 ** 53],
  tokens_out: [0, 340, -3, 0.1, null],
  cache_read_tokens: [45000, null, 1e13],
  cache_write_tokens: [5, 1e12, null],
  cache_write_1h_tokens: [1, 2.5, null],
  reasoning_tokens: [7, -1, null],
  cost_usd: [0, 0.0123, 1e6, 1e6 + 1, -0.1, null, '1'],
  duration_ms: [0, 120, 1e10, 1e10 + 1, -5, 1.25, null],
  project: STRINGS(512),
  branch: STRINGS(256),
  client_timestamp: [
    new Date(now - 60_000).toISOString(),
    new Date(now - 60_000).toISOString().replace('Z', '+02:00'),
    new Date(now - 60_000).toISOString().slice(0, -1),
    '2026-01-15T10:00:00Z',
    '1999-01-01T00:00:00Z',
    '2999-01-01T00:00:00Z',
    new Date(now + 3_600_000 * 48).toISOString(),
    '2026-02-30T10:00:00Z',
    'yesterday',
    '',
    null,
    0,
  ],
  source: ['api', 'hook', 'otel', 'import', 'other', null],
  metadata: [{ command: 'ls', n: 1 }, { file_path: '/a/CLAUDE.md', memory_type: 'Project', content: 'secret' }, 'text', 3, [1, 2], null, { content: 'only' }],
  extra_key: ['ignored', null],
};

test('validateEvent answers what EventInputSchema answers, for any input', () => {
  const next = rng(20);
  const names = Object.keys(FIELDS);
  let accepted = 0;
  for (let n = 0; n < 20_000; n++) {
    const raw: Record<string, unknown> = {};
    // Mostly valid events (the common case) with a few fields varied, and some wholly random ones.
    const wild = next() < 0.3;
    for (const name of names) {
      const values = FIELDS[name];
      const present = ['session_id', 'agent_type', 'event_type'].includes(name) ? next() < 0.97 : next() < 0.5;
      if (!present) continue;
      const pick = wild || next() < 0.15 ? Math.floor(next() * values.length) : Math.floor(next() * Math.min(2, values.length));
      raw[name] = values[pick];
    }
    if (next() < 0.3) {
      // A JSON body never holds undefined; a caller's object may.
      const parsed = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
      for (const k of Object.keys(raw)) delete raw[k];
      Object.assign(raw, parsed);
    }
    const full = EventInputSchema.safeParse(raw);
    const got = validateEvent(raw);
    const input = JSON.stringify(raw);
    if (full.success) {
      accepted++;
      assert.ok(got.ok, `accepted by EventInputSchema: ${input}`);
      assert.deepEqual(got.value, full.data, input);
      assert.deepEqual(Object.keys(got.value), Object.keys(full.data), `same keys in the same order: ${input}`);
    } else {
      assert.ok(!got.ok, `refused by EventInputSchema: ${input}`);
      assert.deepEqual(
        got.errors,
        full.error.issues.map((i) => ({ field: i.path.length ? i.path.join('.') : '(body)', message: i.message })),
        input,
      );
    }
  }
  assert.ok(accepted > 3_000, `enough accepted inputs compared (${accepted})`);
});

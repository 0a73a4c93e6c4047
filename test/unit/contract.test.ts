import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateEvent } from '../../src/core/contracts/events';
import { capMetadata, toRecord, utf8Slice } from '../../src/core/ingest/normalize';

const base = { session_id: 's1', agent_type: 'claude-code', event_type: 'tool_use' };

describe('event contract', () => {
  const cases: { name: string; input: unknown; field?: string }[] = [
    { name: 'minimal event', input: base },
    { name: 'missing session_id', input: { agent_type: 'x', event_type: 'tool_use' }, field: 'session_id' },
    { name: 'blank session_id after trim', input: { ...base, session_id: '   ' }, field: 'session_id' },
    { name: 'missing agent_type', input: { session_id: 's', event_type: 'tool_use' }, field: 'agent_type' },
    { name: 'unknown event_type', input: { ...base, event_type: 'explode' }, field: 'event_type' },
    { name: 'bad status', input: { ...base, status: 'meh' }, field: 'status' },
    { name: 'negative tokens', input: { ...base, tokens_in: -1 }, field: 'tokens_in' },
    { name: 'fractional tokens', input: { ...base, tokens_out: 1.5 }, field: 'tokens_out' },
    { name: 'string tokens', input: { ...base, cache_read_tokens: '12' }, field: 'cache_read_tokens' },
    { name: 'negative cost', input: { ...base, cost_usd: -0.01 }, field: 'cost_usd' },
    { name: 'bad timestamp', input: { ...base, client_timestamp: 'yesterday' }, field: 'client_timestamp' },
    { name: 'bad source', input: { ...base, source: 'carrier-pigeon' }, field: 'source' },
    { name: 'agent_type with spaces', input: { ...base, agent_type: 'my agent' }, field: 'agent_type' },
    { name: 'overlong session_id', input: { ...base, session_id: 'x'.repeat(300) }, field: 'session_id' },
    { name: 'nulls for optional fields', input: { ...base, model: null, tokens_in: null, status: null } },
    { name: 'timestamp with offset', input: { ...base, client_timestamp: '2026-11-26T10:00:00+02:00' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = validateEvent(c.input);
      if (!c.field) {
        assert.equal(r.ok, true, JSON.stringify(r));
        return;
      }
      assert.equal(r.ok, false);
      if (!r.ok) assert.ok(r.errors.some((e) => e.field === c.field), `expected an error on ${c.field}, got ${JSON.stringify(r.errors)}`);
    });
  }

  test('a non-object body is refused', () => {
    for (const v of [null, 42, 'x', [base]]) assert.equal(validateEvent(v).ok, false);
  });

  test('trims strings, drops empty optionals, strips unknown fields', () => {
    const r = validateEvent({ ...base, session_id: '  s2 ', model: '  ', tool_name: ' Bash ', extra: 1 });
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.value.session_id, 's2');
    assert.equal(r.value.model, undefined);
    assert.equal(r.value.tool_name, 'Bash');
    assert.equal((r.value as Record<string, unknown>).extra, undefined);
  });
});

describe('metadata cap', () => {
  test('small metadata is kept as is', () => {
    assert.deepEqual(capMetadata({ a: 1 }, 100), { json: '{"a":1}', truncated: false });
  });

  test('oversized metadata stays valid JSON within the cap and is flagged', () => {
    const meta = { command: 'ls', output: 'é'.repeat(50_000), nested: { list: Array.from({ length: 1000 }, (_, i) => `item ${i}`) } };
    const { json, truncated } = capMetadata(meta, 4096);
    assert.equal(truncated, true);
    assert.ok(Buffer.byteLength(json!, 'utf8') <= 4096);
    const parsed = JSON.parse(json!);
    assert.equal(parsed.command, 'ls');
    assert.ok(!json!.includes('\uFFFD'), 'no broken characters');
  });

  test('metadata from a log is serialized as the walk would: exact when it fits, capped the same when not', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 70; i++) deep = { d: deep };
    let brackets: unknown = 'x';
    for (let i = 0; i < 40; i++) brackets = [{ s: '{[' }, brackets];
    const cases: [string, unknown][] = [
      ['small', { a: 1, b: 'two', c: [1, null, undefined, 'x'], d: undefined, e: { f: true } }],
      ['a scalar', 'just text'],
      ['non-finite numbers', { n: NaN, i: Infinity, z: -0 }],
      ['a date', { at: new Date(Date.UTC(2026, 0, 1)) }],
      ['escapes and non-ASCII', { s: 'quote " back \\ nl \n tab \t café 日本語 😀 lone \ud800' }],
      ['oversized', { output: 'é'.repeat(3000), list: Array.from({ length: 100 }, (_, i) => `item ${i}`) }],
      ['just over by its escapes', { s: '"'.repeat(2040) }],
      ['nested 70 deep', deep],
      ['nested 40 deep with brackets in strings', brackets],
      ['a BigInt', { big: 1n }],
    ];
    for (const [name, meta] of cases) assert.deepEqual(capMetadata(meta, 4096, true), capMetadata(meta, 4096), name);
  });

  test('utf8Slice never splits a character', () => {
    const s = 'ab€😀c';
    for (let n = 0; n <= Buffer.byteLength(s); n++) {
      const cut = utf8Slice(s, n);
      assert.ok(Buffer.byteLength(cut) <= n);
      assert.ok(s.startsWith(cut));
      assert.ok(!cut.includes('\uFFFD'));
    }
  });

  const valid = (raw: Record<string, unknown>) => {
    const r = validateEvent(raw);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.value;
  };

  test('records keep the agent cost and mark unpriced usage', () => {
    const agent = toRecord(valid({ ...base, event_type: 'llm_request', tokens_in: 10, cost_usd: 0.5 }), 'api', 1024);
    assert.equal(agent.cost_source, 'agent');
    assert.equal(agent.cost_usd, 0.5);
    const unknown = toRecord(valid({ ...base, event_type: 'llm_request', model: 'nobody-knows-7', tokens_in: 10 }), 'api', 1024);
    assert.equal(unknown.cost_source, 'unpriced');
    assert.equal(unknown.cost_usd, null);
    const none = toRecord(valid(base), 'hook', 1024);
    assert.equal(none.cost_source, 'none');
    assert.equal(none.source, 'hook');
  });
});

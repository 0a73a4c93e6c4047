/**
 * Issue 15 at the unit level: the event time range on every channel, lone surrogates, and the
 * bounded work of metadata truncation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPlausibleTimestamp } from '../../src/core/contracts/eventTime';
import { validateEvent } from '../../src/core/contracts/events';
import { validateImported } from '../../src/core/importers/eventCheck';
import { MAX_KEYS_VISITED, summarizeToolInput } from '../../src/core/hooks/summarize';
import { capMetadata, toRecord } from '../../src/core/ingest/normalize';

const base = { session_id: 's', agent_type: 'codex', event_type: 'response' } as const;

describe('event time range', () => {
  test('the range is 2000-01-01 to a day after now, whatever the offset', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    const cases: [string, boolean][] = [
      ['9999-12-31T23:59:59Z', false],
      ['1999-12-31T23:59:59Z', false],
      ['2000-01-01T00:00:00+01:00', false],
      ['2000-01-01T00:00:00Z', true],
      ['2020-01-01T00:00:00.123456Z', true],
      ['2026-06-02T11:59:00Z', true],
      ['2026-06-02T12:01:00Z', false],
      ['2026-06-02T12:01:00+01:00', true],
    ];
    for (const [iso, ok] of cases) assert.equal(isPlausibleTimestamp(iso, now), ok, iso);
  });

  test("an importer's out-of-range event is skipped with the field named, not taken by the fast path", () => {
    const v = validateImported({ ...base, source: 'import', client_timestamp: '9999-12-31T23:59:59Z' });
    assert.equal(v.ok, false);
    if (!v.ok) assert.deepEqual(v.errors.map((e) => e.field), ['client_timestamp']);
    assert.equal(validateImported({ ...base, source: 'import', client_timestamp: '2024-05-01T10:00:00Z' }).ok, true);
  });

  test('an event that reaches the store without validation is stored at the time it was received', () => {
    const now = Date.parse('2026-06-01T12:00:00Z');
    assert.equal(toRecord({ ...base, client_timestamp: '9999-12-31T23:59:59Z' }, 'api', 1024, now).created_at, now);
    assert.equal(toRecord({ ...base, client_timestamp: '2026-05-01T00:00:00Z' }, 'api', 1024, now).created_at, Date.parse('2026-05-01T00:00:00Z'));
  });
});

describe('lone surrogates', () => {
  test('contract strings with a lone surrogate are refused naming the field; pairs are fine', () => {
    for (const field of ['session_id', 'agent_type', 'event_id', 'tool_name', 'model', 'project', 'branch']) {
      const v = validateEvent({ ...base, [field]: `a\ud800b` });
      assert.equal(v.ok, false, field);
      if (!v.ok) assert.deepEqual([...new Set(v.errors.map((e) => e.field))], [field]);
      if (!v.ok) assert.match(v.errors[0].message, /lone UTF-16 surrogate/);
    }
    const pair = validateEvent({ ...base, session_id: 'emoji-\ud83d\ude00' });
    assert.ok(pair.ok && pair.value.session_id === 'emoji-😀');
    const imported = validateImported({ ...base, source: 'import', session_id: 'x\udc00' });
    assert.equal(imported.ok, false, 'the importers’ fast path does not take it either');
  });
});

/** A plain object of `n` keys that counts how many of its values are read. */
function counted(n: number): { value: Record<string, unknown>; reads: () => number } {
  const target: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) target[`k${i}`] = i % 10;
  let reads = 0;
  const value = new Proxy(target, {
    get(t, k, r) {
      reads++;
      return Reflect.get(t, k, r);
    },
  });
  return { value, reads: () => reads };
}

describe('bounded work on huge input', () => {
  test('capping metadata of 200k keys reads a bounded number of its values and says what it left out', () => {
    const meta = counted(200_000);
    const { json, truncated } = capMetadata({ nested: meta.value, after: 'x' }, 4096);
    assert.equal(truncated, true);
    assert.ok(Buffer.byteLength(json!, 'utf8') <= 4096);
    const parsed = JSON.parse(json!) as { nested: Record<string, unknown> };
    assert.equal(parsed.nested.k0, 0);
    assert.match(String(parsed.nested['…']), /^\d+ more keys$/);
    assert.ok(meta.reads() < 10_000, `${meta.reads()} values read of 200000`);
  });

  test('metadata that fits is kept exactly as JSON.stringify writes it', () => {
    const meta = { a: 1, b: 'é😀', c: [1, null, { d: false }], e: undefined, f: new Date(0), g: Number.NaN };
    assert.deepEqual(capMetadata(meta, 4096), { json: JSON.stringify(meta), truncated: false });
  });

  test("summarizing a hook's tool_input of 200k keys reads at most the keys it may keep", () => {
    const input = counted(200_000);
    const summary = summarizeToolInput(input.value);
    assert.ok(summary && Object.keys(summary).length <= 8);
    assert.ok(input.reads() <= MAX_KEYS_VISITED, `${input.reads()} values read of 200000`);
  });
});

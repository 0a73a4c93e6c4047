import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { countDemoEvents, demoChunks, demoScaleFor, liveGenerator } from '../../src/core/cli/demo';
import { loadConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { openCore } from '../../src/core/runtime';

const now = Date.parse('2026-03-11T15:30:00Z');

/** What a store keeps of the demo: one event per distinct id (a tool call's start and end are one). */
function distinctIds(o: Parameters<typeof demoChunks>[0]): number {
  const ids = new Set<string>();
  for (const chunk of demoChunks(o)) for (const e of chunk) ids.add(e.event_id!);
  return ids.size;
}

test('demo: demoScaleFor gives at least the events asked for, at most 2 % more (10 % when one session is a few %)', () => {
  for (const [events, days, tolerance] of [
    [10_000, 14, 0.02],
    [12_000, 5, 0.02],
    [3_000, 7, 0.1],
  ] as const) {
    const scale = demoScaleFor(events, { now, days, seed: 42 });
    const n = distinctIds({ now, days, seed: 42, scale });
    assert.equal(countDemoEvents({ now, days, seed: 42, scale }), n);
    assert.ok(n >= events && n <= events * (1 + tolerance), `${events} events over ${days} days asked, scale ${scale} gives ${n}`);
  }
});

test('demo: a larger scale only adds sessions, never fewer events', () => {
  let prev = 0;
  for (const scale of [0.5, 0.51, 1, 1.04, 2, 3.3]) {
    const n = countDemoEvents({ now, days: 10, seed: 3, scale });
    assert.ok(n >= prev, `scale ${scale}: ${n} < ${prev}`);
    prev = n;
  }
});

test('demo: the default week stays a week of a few agents (thousands of events, not millions)', () => {
  const n = countDemoEvents({ now, days: 7, seed: 1 });
  assert.ok(n > 3_000 && n < 20_000, `${n}`);
});

test('demo: the store keeps exactly the counted events', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-demo-'));
  const core = await openCore({ config: loadConfig({} as NodeJS.ProcessEnv, { dbPath: path.join(dir, 'am.db') }), log: silentLogger });
  after(async () => {
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const o = { now, days: 3, seed: 9, scale: 0.5 };
  for (const chunk of demoChunks(o)) await core.ingest.ingest(chunk, { source: 'api', waitForStore: true, quiet: true });
  const stored = (await core.store.query('storeCounts', {})).events;
  assert.equal(stored, countDemoEvents(o));
  assert.ok(stored > 500, `${stored}`);
});

test('demo: no event is stamped after now, and every running tool call is completed (history and live)', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const open = new Set<string>();
    for (const chunk of demoChunks({ now, days: 2, seed, scale: 2 })) {
      for (const e of chunk) {
        assert.ok(Date.parse(e.client_timestamp!) <= now, `seed ${seed}: ${e.event_type} ${e.event_id} at ${e.client_timestamp}, after now`);
        if (e.event_type !== 'tool_use') continue;
        if (e.status === 'running') open.add(e.event_id!);
        else open.delete(e.event_id!);
      }
    }
    assert.deepEqual([...open], [], `seed ${seed}: tool calls left running`);
  }
  const live = liveGenerator(7);
  for (let i = 0; i < 2000; i++) {
    for (const e of live(now + i * 500)) {
      assert.ok(Date.parse(e.client_timestamp!) <= now + i * 500);
      assert.notEqual(e.status, 'running');
    }
  }
});

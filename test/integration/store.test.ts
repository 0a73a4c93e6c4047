/**
 * The store on a real database file: running totals on sessions and the hourly rollup agree with
 * the events, survive a reopen, and survive retention; rebuildAggregates reproduces them.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/core/config';
import type { EventInput } from '../../src/core/contracts/events';
import { silentLogger } from '../../src/core/log';
import { openCore, type Core } from '../../src/core/runtime';
import { defaultWasmPath } from '../../src/core/store/database';
import { statsParams } from '../../src/core/store/queries/stats';
import { loadPatchedSqlJs } from '../../src/core/store/sqlJsRuntime';
import { crashCopy, tmpDir } from '../helpers/tmp';

const DAY = 86_400_000;

async function open(dbPath: string, retentionDays = 0): Promise<Core> {
  return openCore({ config: loadConfig({}, { dbPath, retentionDays, snapshotIntervalS: 3600 }), log: silentLogger });
}

function usage(session: string, daysAgo: number, tokens: number, cost: number, extra: Partial<EventInput> = {}): EventInput {
  return {
    session_id: session,
    agent_type: 'claude-code',
    event_type: 'llm_request',
    model: 'claude-sonnet-4-5',
    tokens_in: tokens,
    tokens_out: 1,
    cost_usd: cost,
    project: '/p',
    client_timestamp: new Date(Date.now() - daysAgo * DAY).toISOString(),
    ...extra,
  };
}

/** A store on a new database file for the test's body, closed afterwards whatever happens. */
async function withCore(fn: (c: { core: Core; dbPath: string }) => Promise<void>): Promise<void> {
  const dbPath = path.join(tmpDir(), 'a.db');
  const core = await open(dbPath);
  try {
    await fn({ core, dbPath });
  } finally {
    await core.close();
  }
}

const clock = { now: Date.now(), idleMs: 300_000, endMs: 7_200_000 };
const bySession = (core: Core, id: string) => core.store.query('sessionsByIds', { ...clock, now: Date.now(), ids: [id] }).then((r) => r[0]);
const stats = (core: Core) => core.store.query('stats', statsParams({ idleAfterMinutes: 5, endAfterMinutes: 120 }, 'UTC'));

describe('store aggregates', () => {
  test('session totals and lifecycle fields follow the events, also out of order', async () => {
    const dir = tmpDir();
    const core = await open(path.join(dir, 'a.db'));
    await core.ingest.ingest([
      usage('s1', 0, 100, 0.5, { event_type: 'session_start', tokens_in: undefined, tokens_out: undefined, cost_usd: undefined, client_timestamp: new Date(Date.now() - 60_000).toISOString() }),
      usage('s1', 0, 100, 0.5),
      usage('s1', 1, 50, 0.25, { model: 'claude-opus-4-5' }),
      { session_id: 's1', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', status: 'error', event_id: 't1' },
      { session_id: 's1', agent_type: 'claude-code', event_type: 'session_end' },
    ]);
    const s = await bySession(core, 's1');
    assert.equal(s.tokens_in, 150);
    assert.equal(Math.round(s.cost_usd * 100), 75);
    assert.equal(s.event_count, 5);
    assert.equal(s.model, 'claude-sonnet-4-5', 'the latest model, not the one of an older event');
    assert.equal(s.last_tool, 'Bash');
    assert.equal(s.last_tool_status, 'error');
    assert.equal(s.status, 'ended');
    assert.ok(s.ended_at);
    // A new session_start after the end reopens the session.
    await core.ingest.ingest([{ session_id: 's1', agent_type: 'claude-code', event_type: 'session_start', client_timestamp: new Date(Date.now() + 1000).toISOString() }], { waitForStore: true });
    const again = await bySession(core, 's1');
    assert.equal(again.ended_at, null);
    assert.equal(again.status, 'active');
    await core.close();
  });

  test('a duplicate in the same or a later batch is not stored and leaves no payload bytes; a completion merges its metadata', () =>
    withCore(async ({ core, dbPath }) => {
      const call = (extra: Partial<EventInput>): EventInput => ({ session_id: 'd1', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', event_id: 'tool-1', ...extra });
      const first = await core.ingest.ingest([call({ status: 'running', metadata: { input: 'ls' } }), call({ status: 'running', metadata: { input: 'ls' } })], { waitForStore: true });
      assert.deepEqual([first.inserted, first.duplicates], [1, 1], 'the same event twice in one batch');
      const payloadBytes = fs.statSync(`${dbPath}.payloads`).size;
      const again = await core.ingest.ingest([call({ status: 'running', metadata: { input: 'ls' } })], { waitForStore: true });
      assert.deepEqual([again.inserted, again.duplicates], [0, 1]);
      assert.equal(fs.statSync(`${dbPath}.payloads`).size, payloadBytes, 'a duplicate adds no payload bytes');
      const done = await core.ingest.ingest([call({ status: 'success', duration_ms: 40, metadata: { exit_code: 0 } })], { waitForStore: true });
      assert.equal(done.completed, 1);
      const page = await core.store.query('listEvents', { filter: { session_id: ['d1'] }, limit: 10 });
      assert.equal(page.events.length, 1);
      assert.equal(page.events[0].status, 'success');
      assert.equal(page.events[0].duration_ms, 40);
      assert.deepEqual(page.events[0].metadata, { input: 'ls', exit_code: 0 });
      const s = await bySession(core, 'd1');
      assert.equal(s.event_count, 1);
    }));

  test('a duplicate fills what the stored copy lacks and overwrites nothing (prompt text OTLP left out)', () =>
    withCore(async ({ core, dbPath }) => {
      const prompt = (metadata: Record<string, unknown>): EventInput => ({ session_id: 'g1', agent_type: 'codex', event_type: 'user_prompt', event_id: 'prompt:codex:g1:1', metadata });
      await core.ingest.ingest([prompt({ prompt: null, prompt_length: 14, otel_event: 'codex.user_prompt' })], { waitForStore: true });
      const filled = await core.ingest.ingest([prompt({ prompt: 'list the files', prompt_length: 99 })], { waitForStore: true });
      assert.deepEqual([filled.inserted, filled.duplicates], [0, 1], 'still a duplicate: no second row');
      const payloadBytes = fs.statSync(`${dbPath}.payloads`).size;
      const again = await core.ingest.ingest([prompt({ prompt: 'something else', otel_event: 'other' })], { waitForStore: true });
      assert.equal(again.duplicates, 1);
      assert.equal(fs.statSync(`${dbPath}.payloads`).size, payloadBytes, 'nothing left to fill: no payload bytes');
      const page = await core.store.query('listEvents', { filter: { session_id: ['g1'] }, limit: 10 });
      assert.equal(page.events.length, 1);
      assert.deepEqual(page.events[0].metadata, { prompt: 'list the files', prompt_length: 14, otel_event: 'codex.user_prompt' });
      const transcript = await core.store.query('transcript', { session_id: 'g1', limit: 10 });
      assert.deepEqual(transcript?.entries.map((e) => e.text), ['list the files']);
    }));

  test('events stored while a snapshot is being written survive a crash right after it, and the store answers meanwhile', () =>
    withCore(async ({ core, dbPath }) => {
      // Big enough for several write chunks, so that the inserts below land while the file is written.
      await core.ingest.ingest(Array.from({ length: 20_000 }, (_, i) => usage('before', 0, 10, 0.001, { event_id: `b${i}` })), { waitForStore: true });
      const snap = core.store.snapshot();
      const during = await core.ingest.ingest(Array.from({ length: 500 }, (_, i) => usage('during', 0, 7, 0.001, { event_id: `d${i}` })), { waitForStore: true });
      assert.equal(during.inserted, 500);
      const answered = await bySession(core, 'before');
      assert.equal(answered.event_count, 20_000);
      assert.ok(await snap, 'the snapshot was written');
      const SQL = await loadPatchedSqlJs()({ wasmBinary: new Uint8Array(fs.readFileSync(defaultWasmPath())).buffer });
      const file = new SQL.Database(fs.readFileSync(dbPath));
      try {
        assert.equal(file.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
        const rows = file.exec('SELECT session_id, COUNT(*) FROM events GROUP BY session_id ORDER BY session_id')[0].values;
        assert.deepEqual(rows, [['before', 20_000]], 'the snapshot file is the database as it was when the snapshot began');
      } finally {
        file.close();
      }
      const again = await open(crashCopy(dbPath));
      try {
        assert.equal((await bySession(again, 'before')).event_count, 20_000);
        assert.equal((await bySession(again, 'during')).event_count, 500);
      } finally {
        await again.close();
      }
    }));

  test('retention drops old raw events but keeps the aggregates; rebuild reproduces totals', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'a.db');
    let core = await open(dbPath);
    await core.ingest.ingest([usage('old', 40, 1000, 2), usage('old', 39, 500, 1), usage('new', 1, 10, 0.01), usage('new', 0, 20, 0.02)]);
    await core.store.drain();
    const before = await stats(core);
    assert.equal(before.total.tokens_in, 1530);
    const rebuilt = await core.store.query('rebuildAggregates', {});
    assert.ok(rebuilt.hours >= 3);
    const after = await stats(core);
    assert.equal(after.total.tokens_in, before.total.tokens_in);
    assert.equal(after.total.cost_usd.toFixed(6), before.total.cost_usd.toFixed(6));
    const pruned = await core.store.query('pruneEventsBefore', { before: Date.now() - 30 * DAY });
    assert.equal(pruned.events, 2);
    await core.close();
    core = await open(dbPath);
    assert.equal((await core.store.query('storeCounts', {})).events, 2);
    const old = await bySession(core, 'old');
    assert.equal(old.tokens_in, 1500, 'session totals survive retention');
    await core.store.query('rebuildAggregates', {});
    const old2 = await bySession(core, 'old');
    assert.equal(old2.tokens_in, 1500, 'a rebuild does not zero sessions whose events were pruned');
    assert.equal((await stats(core)).total.tokens_in, 1530, 'hourly aggregates keep pruned usage');
    await core.close();
  });

  test('a clean close leaves no journal: the final snapshot is kept compressed as the backup, which alone restores a lost file', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'a.db');
    const first = await open(dbPath);
    for (let i = 0; i < 20; i++) await first.ingest.ingest([usage(`s${i % 3}`, 0, 10, 0.01, { event_id: `u${i}` })]);
    await first.close();
    const segments = () => fs.readdirSync(dir).filter((f) => f.includes('.journal-'));
    assert.deepEqual(segments(), [], 'no journal segment after a clean stop');
    const db = fs.statSync(dbPath);
    const bak = fs.statSync(`${dbPath}.bak`);
    assert.notEqual(bak.ino, db.ino, 'the backup is a copy: damage to the file does not reach it');
    assert.ok(bak.size < db.size / 2, `the backup is compressed, not a second full copy (${bak.size} of ${db.size} bytes)`);
    const backup = fs.readFileSync(`${dbPath}.bak`);
    assert.equal(backup.subarray(0, 8).toString('latin1'), 'AMbak\u0000br');
    assert.deepEqual(zlib.brotliDecompressSync(backup.subarray(8)), fs.readFileSync(dbPath));

    const second = await open(dbPath);
    assert.deepEqual(second.store.stats.replay, { batches: 0, records: 0, skipped: [] });
    assert.equal((await stats(second)).total.tokens_in, 200);
    await second.ingest.ingest([usage('s9', 0, 5, 0.01, { event_id: 'after' })]);
    await second.close();
    // The file lost after a clean stop: the backup alone has everything.
    fs.rmSync(dbPath);
    const third = await open(dbPath);
    assert.equal((await stats(third)).total.tokens_in, 205, 'restored from the backup, the seq numbering continued');
    await third.ingest.ingest([usage('s9', 0, 1, 0.01, { event_id: 'after-restore' })]);
    await third.close();
    const fourth = await open(dbPath);
    assert.equal((await stats(fourth)).total.tokens_in, 206);
    await fourth.close();
  });

  test('cost breakdowns of one range share their reads, and a write between two of them is never missed', () =>
    withCore(async ({ core }) => {
      const since = Math.floor((Date.now() - 3 * DAY) / 3_600_000) * 3_600_000;
      const cost = (by: 'model' | 'project' | 'session' | 'day') => core.store.query('costBreakdown', { by, tz: 'UTC', since, until: null, limit: 10 });
      await core.ingest.ingest([usage('m1', 1, 100, 1), usage('m2', 0, 10, 0.5, { model: 'claude-opus-4-5', project: '/q' })], { waitForStore: true });
      const model = await cost('model');
      assert.deepEqual(model.rows.map((r) => [r.key, r.cost_usd, r.sessions]), [['claude-sonnet-4-5', 1, 1], ['claude-opus-4-5', 0.5, 1]]);
      // Each of these is a new question for the answer cache, so only the reads shared within
      // the store worker could hide the write.
      await core.ingest.ingest([usage('m3', 0, 10, 2, { project: '/q' })], { waitForStore: true });
      const project = await cost('project');
      assert.deepEqual(project.rows.map((r) => [r.key, r.cost_usd, r.sessions]), [['/q', 2.5, 2], ['/p', 1, 1]]);
      await core.ingest.ingest([usage('m1', 0, 10, 4)], { waitForStore: true });
      const session = await cost('session');
      assert.deepEqual(session.rows.map((r) => [r.key, r.cost_usd]), [['m1', 5], ['m3', 2], ['m2', 0.5]]);
      assert.equal(session.totals.cost_usd, 7.5);
      const day = await cost('day');
      assert.equal(day.totals.cost_usd, 7.5);
      assert.equal(day.totals.sessions, 3);
    }));

  test('cost breakdowns kept up to date across many small writes equal the events, also after writes they cannot patch', () =>
    withCore(async ({ core }) => {
      const HOUR = 3_600_000;
      const since = Math.floor((Date.now() - 2 * DAY) / HOUR) * HOUR;
      let seed = 7;
      const rand = (n: number) => Math.floor((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 65_536) % n;
      const stored: { session: string; model: string; project: string; at: number; cost: number }[] = [];
      const check = async (round: number) => {
        const inRange = stored.filter((e) => e.at >= since);
        const sum = (key: 'model' | 'project' | 'session') => {
          const m = new Map<string, number>();
          for (const e of inRange) m.set(e[key], (m.get(e[key]) ?? 0) + e.cost);
          return Object.fromEntries([...m].sort());
        };
        for (const by of ['model', 'project', 'session'] as const) {
          const r = await core.store.query('costBreakdown', { by, tz: 'UTC', since, until: null });
          assert.deepEqual(Object.fromEntries(r.rows.map((x) => [x.key, x.cost_usd]).sort()), sum(by), `round ${round}, by ${by}`);
        }
        const day = await core.store.query('costBreakdown', { by: 'day', tz: 'UTC', since, until: null, stack_model: true });
        assert.equal(day.totals.cost_usd, inRange.reduce((a, e) => a + e.cost, 0), `round ${round}, by day`);
      };
      for (let round = 0; round < 40; round++) {
        const batch: EventInput[] = [];
        for (let i = 1 + rand(4); i > 0; i--) {
          // Costs in quarters add exactly; times from three days ago (before the range) to now, in any order.
          const e = { session: `r${rand(12)}`, model: `m${rand(3)}`, project: `/p${rand(3)}`, at: Date.now() - rand(3 * 24) * HOUR - rand(HOUR), cost: (1 + rand(8)) / 4 };
          stored.push(e);
          batch.push({ session_id: e.session, agent_type: 'claude-code', event_type: 'llm_request', model: e.model, project: e.project, tokens_in: 1, cost_usd: e.cost, client_timestamp: new Date(e.at).toISOString() });
        }
        await core.ingest.ingest(batch, { waitForStore: true });
        if (round === 20) {
          // An import offset moves (a write outside the costs), then a write the log cannot patch.
          await core.store.query('setImportState', { rows: [{ path: '/x.jsonl', size: 1, mtime_ms: 1, byte_offset: 1, head_hash: 'h', state_json: null, updated_at: Date.now() }] });
          await core.store.query('rebuildAggregates', {});
        }
        if (round === 30) {
          // Clear Data: a write that changes every number and cannot be patched.
          await core.store.query('clearAll', {});
          stored.length = 0;
        }
        await check(round);
      }
      // A session's model is its latest one: counts per model follow it.
      const models = await core.store.query('costBreakdown', { by: 'model', tz: 'UTC', since, until: null });
      assert.equal(models.totals.sessions, new Set(stored.filter((e) => e.at >= since).map((e) => e.session)).size);
    }));

  test('tool stats kept up to date across writes that add, complete and correct calls equal the events', () =>
    withCore(async ({ core }) => {
      const since = Date.now() - 2 * DAY;
      let seed = 11;
      const rand = (n: number) => Math.floor((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 65_536) % n;
      const calls = new Map<string, { tool: string; at: number; status: 'running' | 'success' | 'error'; duration: number | null }>();
      const call = (id: string) => calls.get(id)!;
      const input = (id: string): EventInput => {
        const c = call(id);
        return { session_id: `t${rand(4)}`, agent_type: 'codex', event_type: 'tool_use', tool_name: c.tool, event_id: id, status: c.status, duration_ms: c.duration ?? undefined, client_timestamp: new Date(c.at).toISOString() };
      };
      const check = async (round: number) => {
        const expected = new Map<string, { calls: number; errors: number; running: number; durations: number[] }>();
        for (const c of calls.values()) {
          if (c.at < since) continue;
          const t = expected.get(c.tool) ?? { calls: 0, errors: 0, running: 0, durations: [] };
          expected.set(c.tool, t);
          t.calls++;
          if (c.status === 'error') t.errors++;
          if (c.status === 'running') t.running++;
          else if (c.duration !== null) t.durations.push(c.duration);
        }
        const got = await core.store.query('toolStats', { filter: { since, until: null }, bucket: 'hour', tz: 'UTC' });
        const want = [...expected].map(([tool, t]) => {
          const d = t.durations.sort((a, b) => a - b);
          return [tool, t.calls, t.errors, t.running, d.length ? d[Math.ceil(d.length / 2) - 1] : null];
        });
        assert.deepEqual(got.tools.map((t) => [t.tool_name, t.calls, t.errors, t.running, t.p50_ms]).sort(), want.sort(), `round ${round}`);
        assert.equal(got.timeline.reduce((a, b) => a + b.calls, 0), want.reduce((a, w) => a + (w[1] as number), 0), `round ${round}: timeline`);
      };
      let n = 0;
      let completed = 0;
      for (let round = 0; round < 30; round++) {
        const batch: EventInput[] = [];
        for (let i = 1 + rand(3); i > 0; i--) {
          const id = `call-${n++}`;
          calls.set(id, { tool: `Tool${rand(3)}`, at: Date.now() - rand(3 * DAY), status: rand(2) ? 'running' : 'success', duration: null });
          if (call(id).status === 'success') call(id).duration = rand(1000);
          batch.push(input(id));
        }
        // Complete a running call, and correct a finished one as failed (another channel knew better).
        const running = [...calls.keys()].filter((id) => call(id).status === 'running');
        if (running.length) {
          const id = running[rand(running.length)];
          Object.assign(call(id), { status: rand(2) ? 'success' : 'error', duration: rand(1000) });
          batch.push(input(id));
        }
        const done = [...calls.keys()].filter((id) => call(id).status === 'success');
        if (done.length && rand(2)) {
          const id = done[rand(done.length)];
          call(id).status = 'error';
          batch.push(input(id));
        }
        const out = await core.ingest.ingest(batch, { waitForStore: true });
        completed += out.completed;
        await check(round);
      }
      assert.ok(completed >= 10, `calls completed or corrected: ${completed}`);
    }));

  test('cached answers: one computation per question at a time, and never one that misses an earlier write', async () => {
    const core = await open(path.join(tmpDir(), 'a.db'));
    const store = core.store;
    let calls = 0;
    const gates: (() => void)[] = [];
    // Each computation answers with the generation it started at, once the test lets it finish.
    const compute = () => {
      calls++;
      const gen = store.generation;
      return new Promise<number>((resolve) => gates.push(() => resolve(gen)));
    };
    const first = Array.from({ length: 5 }, () => store.cached('q', 60_000, compute));
    assert.equal(calls, 1, 'concurrent requests with no write between them share one computation');
    await core.ingest.ingest([usage('s1', 0, 1, 0.01)]);
    const afterWrite = Array.from({ length: 5 }, () => store.cached('q', 60_000, compute));
    assert.equal(calls, 1, 'nothing new starts while the first runs');
    gates.shift()!();
    const a = await Promise.all(first);
    assert.ok(a.every((g) => g === a[0]));
    await new Promise((r) => setImmediate(r));
    assert.equal(calls, 2, 'the requests that came after the write share one computation started after it');
    gates.shift()!();
    const b = await Promise.all(afterWrite);
    assert.ok(b.every((g) => g === b[0] && g > a[0]), 'answers after the write include it');
    assert.equal(await store.cached('q', 60_000, compute), b[0], 'cached while nothing changes');
    assert.equal(calls, 2);
    await core.close();
  });
});

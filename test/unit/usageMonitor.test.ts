import { after, test } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { openCore, type Core } from '../../src/core/runtime';
import type { EventInput } from '../../src/core/contracts/events';
import type { UsageMonitorParams } from '../../src/core/store/queries/usageMonitor';

const DAY = '2026-03-10';
const at = (hhmm: string, day = DAY) => `${day}T${hhmm}:00.000Z`;
const ms = (hhmm: string, day = DAY) => Date.parse(at(hhmm, day));

/** A real database (worker, journal, snapshot) in a temp dir, filled through the ingest pipeline. */
async function freshCore(): Promise<Core> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-um-'));
  const config = loadConfig({} as NodeJS.ProcessEnv, { dbPath: path.join(dir, 'am.db') });
  const core = await openCore({ config, log: silentLogger });
  after(async () => {
    await core.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return core;
}

let nextId = 1;
async function add(core: Core, events: Partial<EventInput>[]): Promise<void> {
  const full = events.map((e) => ({ session_id: 's1', agent_type: 'claude-code', event_type: 'llm_request', event_id: `um-${nextId++}`, ...e }) as EventInput);
  await core.ingest.ingest(full, { source: 'api', waitForStore: true, quiet: true });
}

async function usageMonitor(core: Core, p: UsageMonitorParams) {
  return core.store.query('usageMonitor', p);
}

const usage = (time: string, cost: number, extra: Partial<EventInput> = {}): Partial<EventInput> => ({
  client_timestamp: time,
  model: 'claude-sonnet-4-5',
  tokens_in: 100,
  tokens_out: 50,
  cache_read_tokens: 1000,
  cache_write_tokens: 10,
  cost_usd: cost,
  ...extra,
});

test('blocks start on the hour of the first usage, last five hours, and the current one projects to its end', async () => {
  const db = await freshCore();
  await add(db, [
    usage(at('10:20'), 1),
    usage(at('11:50'), 2),
    usage(at('14:10'), 4, { model: 'claude-opus-4-5' }),
    { client_timestamp: at('14:40'), event_type: 'tool_use', tool_name: 'Bash' },
    usage(at('15:30'), 8),
    usage(at('23:10'), 0.5),
    usage(at('23:30'), 1.5, { agent_type: 'codex', model: 'gpt-5' }),
  ]);
  const now = ms('23:40');
  const m = await usageMonitor(db, { now, day_start: ms('00:00'), daily_budget_usd: 20 });

  assert.deepEqual(
    m.blocks.map((b) => [b.start, b.end, b.cost_usd, b.requests, b.active]),
    [
      [at('23:00'), at('04:00', '2026-03-11'), 0.5, 1, true],
      [at('15:00'), at('20:00'), 8, 1, false],
      [at('10:00'), at('15:00'), 7, 3, false],
    ],
  );
  assert.deepEqual(m.blocks[2].models, ['claude-opus-4-5', 'claude-sonnet-4-5']);
  assert.equal(m.blocks[2].last_activity_at, at('14:40'), 'last activity counts any event in the block');
  assert.equal(m.blocks[2].tokens_in, 300);
  assert.equal(m.blocks[2].cache_read_tokens, 3000);
  assert.equal(m.current_block?.start, at('23:00'));
  // Blocks are Anthropic's (Codex's gpt-5 usage at 23:30 is under another plan): $0.50 over the 30
  // minutes from the block's first usage to now (less than the hour's window).
  assert.equal(m.provider, 'anthropic');
  assert.deepEqual(m.providers, ['anthropic', 'openai']);
  assert.equal(m.burn_rate_since, at('23:10'));
  assert.equal(m.burn_rate_usd_per_hour, 1);
  assert.equal(m.burn_rate_tokens_per_minute, 1160 / 30);
  assert.equal(m.block_time_left_minutes, 260);
  assert.equal(m.projected_block_cost_usd, 0.5 + (1 / 60) * 260);
  // Today's cost and the budget are across every provider.
  assert.equal(m.today_cost_usd, 17);
  const openai = await usageMonitor(db, { now, day_start: ms('00:00'), provider: 'openai' });
  assert.deepEqual(openai.blocks.map((b) => [b.start, b.cost_usd, b.models]), [[at('23:00'), 1.5, ['gpt-5']]]);
  assert.equal(m.daily_budget_usd, 20);
});

test('the burn rate covers the last hour up to now, so it and the projection fall while nothing happens', async () => {
  const db = await freshCore();
  await add(db, [usage(at('23:10'), 0.5), usage(at('23:30'), 1.5)]);
  const next = '2026-03-11';
  const active = await usageMonitor(db, { now: ms('23:40'), day_start: ms('00:00') });
  // Twenty minutes after the last usage: only the $1.50 of 23:30 is in the hour before now.
  const quiet = await usageMonitor(db, { now: ms('00:20', next), day_start: ms('00:00', next) });
  assert.equal(quiet.burn_rate_since, at('23:20'));
  assert.equal(quiet.burn_rate_usd_per_hour, 1.5);
  assert.equal(quiet.projected_block_cost_usd, 2 + (1.5 / 60) * 220);
  assert.ok(quiet.burn_rate_usd_per_hour < active.burn_rate_usd_per_hour);
  assert.ok(quiet.projected_block_cost_usd! < active.projected_block_cost_usd!);
  // An idle hour later the block is still open, the rate is zero and the projection is its cost.
  const idle = await usageMonitor(db, { now: ms('01:30', next), day_start: ms('00:00', next) });
  assert.equal(idle.current_block?.start, at('23:00'));
  assert.equal(idle.burn_rate_usd_per_hour, 0);
  assert.equal(idle.burn_rate_tokens_per_minute, 0);
  assert.equal(idle.projected_block_cost_usd, 2);
});

test('usage more than five hours after the block start opens a new block even without a gap; exactly five hours does not', async () => {
  const db = await freshCore();
  // ccusage's rule: an entry exactly at start + 5 h is still in the block, a millisecond later is not.
  await add(db, [usage(at('01:59'), 1), usage(at('04:30'), 1), usage(at('05:59'), 1), usage(at('06:00'), 1), usage('2026-03-10T06:00:00.001Z', 16)]);
  const m = await usageMonitor(db, { now: ms('12:00'), day_start: ms('00:00') });
  assert.deepEqual(
    m.blocks.map((b) => [b.start, b.cost_usd, b.requests, b.tokens_in]),
    [
      [at('06:00'), 16, 1, 100],
      [at('01:00'), 4, 4, 400],
    ],
  );
  assert.equal(m.current_block, null);
  assert.equal(m.burn_rate_usd_per_hour, 0);
  assert.equal(m.projected_block_cost_usd, null);
  assert.equal(m.block_time_left_minutes, null);
});

test('agent filter, today across a non-whole-hour day start, and the latest rate limits', async () => {
  const db = await freshCore();
  await add(db, [
    usage(at('03:10'), 1),
    usage(at('03:40'), 2),
    usage(at('04:10'), 4, { agent_type: 'codex', model: 'gpt-5' }),
    {
      agent_type: 'codex',
      event_type: 'rate_limit',
      client_timestamp: at('04:00'),
      metadata: { rate_limits: [{ window: 'primary', used_percent: 12.5, window_minutes: 300, resets_at: ms('06:00') / 1000 }] },
    },
    {
      agent_type: 'codex',
      event_type: 'rate_limit',
      client_timestamp: at('04:11'),
      metadata: { rate_limits: [{ window: 'primary', used_percent: 40, window_minutes: 300, resets_at: ms('06:00') / 1000 }, { window: 'secondary', used_percent: 3, window_minutes: 10080 }] },
    },
  ]);
  const now = ms('04:20');
  // A day that starts at 03:30 UTC (a zone with a half-hour offset): the 03:10 usage is not today.
  const all = await usageMonitor(db, { now, day_start: ms('03:30') });
  assert.equal(all.today_cost_usd, 6);
  assert.equal(all.current_block?.cost_usd, 3, "the blocks are Anthropic's: Codex's gpt-5 is under OpenAI's plan");
  const codex = await usageMonitor(db, { now, day_start: ms('03:30'), agent_type: 'codex' });
  assert.equal(codex.current_block?.start, at('04:00'));
  assert.equal(codex.current_block?.cost_usd, 4);
  assert.equal(codex.today_cost_usd, 4);
  assert.deepEqual(
    codex.rate_limits.map((r) => [r.agent_type, r.window, r.used_percent, r.window_minutes, r.resets_at, r.stale]),
    [
      ['codex', 'primary', 40, 300, at('06:00'), false],
      ['codex', 'secondary', 3, 10080, null, false],
    ],
  );
  const claude = await usageMonitor(db, { now, day_start: ms('03:30'), agent_type: 'claude-code' });
  assert.equal(claude.rate_limits.length, 0);
  assert.equal(claude.current_block?.cost_usd, 3);
});

test('blocks are per provider (a local model is under no plan), and blocks older than 31 days are reachable', async () => {
  const db = await freshCore();
  const old = '2026-01-05';
  await add(db, [
    usage(at('09:10', old), 3),
    usage(at('09:20', old), 1, { agent_type: 'codex', model: 'gpt-5.1-codex' }),
    usage(at('10:00'), 2),
    // Claude Code on a local model: not Anthropic's usage.
    usage(at('10:30'), 0, { model: 'qwen3-coder:30b' }),
    usage(at('16:00'), 0, { model: 'qwen3-coder:30b' }),
  ]);
  const now = ms('17:00');
  const m = await usageMonitor(db, { now, day_start: ms('00:00') });
  assert.deepEqual(m.blocks.map((b) => [b.start, b.models]), [[at('10:00'), ['claude-sonnet-4-5']]]);
  assert.deepEqual(m.providers, ['other', 'anthropic', 'openai']);
  const local = await usageMonitor(db, { now, day_start: ms('00:00'), provider: 'other' });
  assert.deepEqual(local.blocks.map((b) => [b.start, b.requests, b.active]), [[at('16:00'), 1, true], [at('10:00'), 1, false]]);
  // Two months back: out of the 31-day lookback from now, reachable with `until`.
  const back = await usageMonitor(db, { now, day_start: ms('00:00'), until: ms('00:00', '2026-01-06'), lookback_hours: 48 });
  assert.deepEqual(back.blocks.map((b) => [b.start, b.cost_usd, b.active]), [[at('09:00', old), 3, false]]);
  assert.equal(back.current_block, null);
});

test('a rate-limit reading whose window has passed is stale: reset since, or older than its window', async () => {
  const db = await freshCore();
  const old = '2025-02-10';
  await add(db, [
    // Thirteen months old, reset long ago: a 97% reading that says nothing about now.
    {
      agent_type: 'codex',
      event_type: 'rate_limit',
      client_timestamp: at('09:00', old),
      metadata: { rate_limits: [{ window: 'primary', used_percent: 97, window_minutes: 300, resets_at: ms('12:00', old) / 1000 }] },
    },
    // No reset time, but observed longer ago than its window (5 h) / within it (7 days).
    {
      agent_type: 'claude-code',
      event_type: 'rate_limit',
      client_timestamp: at('10:00'),
      metadata: { rate_limits: [{ window: 'five_hour', used_percent: 90, window_minutes: 300 }, { window: 'seven_day', used_percent: 85, window_minutes: 10080 }] },
    },
  ]);
  const stale = (m: { rate_limits: { agent_type: string; window: string; stale: boolean; observed_at: string }[] }) =>
    m.rate_limits.map((r) => [r.agent_type, r.window, r.stale, r.observed_at]);
  // 14:59: the five-hour reading is still current.
  assert.deepEqual(stale(await usageMonitor(db, { now: ms('14:59'), day_start: ms('00:00') })), [
    ['claude-code', 'five_hour', false, at('10:00')],
    ['claude-code', 'seven_day', false, at('10:00')],
    ['codex', 'primary', true, at('09:00', old)],
  ]);
  // 15:00: five hours after it was read, it is stale; the weekly one is not.
  assert.deepEqual(stale(await usageMonitor(db, { now: ms('15:00'), day_start: ms('00:00') })), [
    ['claude-code', 'five_hour', true, at('10:00')],
    ['claude-code', 'seven_day', false, at('10:00')],
    ['codex', 'primary', true, at('09:00', old)],
  ]);
  // Seen from before its reset, the old Codex reading was current.
  const then = await usageMonitor(db, { now: ms('11:00', old), day_start: ms('00:00', old), agent_type: 'codex' });
  assert.deepEqual(stale(then), [['codex', 'primary', false, at('09:00', old)]]);
});

test('a rate-limit reading that names neither its window nor its reset is stale once older than the longest window (a week)', async () => {
  const db = await freshCore();
  await add(db, [
    { agent_type: 'codex', event_type: 'rate_limit', client_timestamp: at('09:00', '2025-11-03'), metadata: { rate_limits: [{ window: 'primary', used_percent: 97 }] } },
  ]);
  const staleAt = async (day: string) => (await usageMonitor(db, { now: ms('09:00', day), day_start: ms('00:00', day) })).rate_limits.map((r) => [r.window, r.stale]);
  assert.deepEqual(await staleAt('2025-11-09'), [['primary', false]]);
  assert.deepEqual(await staleAt('2025-11-10'), [['primary', true]]);
  assert.deepEqual(await staleAt('2026-12-07'), [['primary', true]], 'thirteen months on: not a 97% alarm');
});

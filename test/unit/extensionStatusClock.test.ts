/**
 * Session statuses age with time in the extension, without asking the server again (issue 19):
 * one timer at the next idle/end crossing, driven here by an injected clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session, Stats } from '../../src/core/contracts/api';
import { AgentsTreeModel, type TreeNode } from '../../src/extension/model/agentsTreeModel';
import { StatusClock } from '../../src/extension/model/statusClock';
import { statsAsOf, tickerView } from '../../src/extension/model/statusText';
import type { Timers } from '../../src/extension/model/updateCoalescer';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const MIN = 60_000;
const THRESHOLDS = { idleMs: 5 * MIN, endMs: 120 * MIN };

function session(id: string, lastEventAt: number, over: Partial<Session> = {}): Session {
  return {
    session_id: id,
    agent_type: 'claude-code',
    project: `/w/${id}`,
    branch: null,
    model: null,
    status: 'active',
    started_at: new Date(lastEventAt - 10 * MIN).toISOString(),
    last_event_at: new Date(lastEventAt).toISOString(),
    ended_at: null,
    event_count: 3,
    parent_session_id: null,
    last_tool: null,
    last_tool_status: null,
    last_event_type: null,
    transcript_path: null,
    state: over.status === 'ended' ? 'ended' : over.status === 'idle' ? 'idle' : 'working',
    waiting_since: null,
    waiting_message: null,
    context_tokens: null,
    context_window: null,
    tokens_in: 0,
    tokens_out: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0,
    ...over,
  };
}

/** Manual clock: timers run only when the test advances time. */
class FakeTime implements Timers {
  now = T0;
  private seq = 0;
  readonly pending = new Map<number, { at: number; fn: () => void }>();
  set(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clear(h: unknown): void {
    this.pending.delete(h as number);
  }
  /** The delays of the armed timers, from now. */
  delays(): number[] {
    return [...this.pending.values()].map((t) => t.at - this.now);
  }
  advanceTo(t: number): void {
    for (;;) {
      const due = [...this.pending.entries()].filter(([, x]) => x.at <= t).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = t;
  }
}

function setup() {
  const time = new FakeTime();
  const model = new AgentsTreeModel();
  model.setThresholds(THRESHOLDS);
  const changes: string[][] = [];
  const clock = new StatusClock(model, (ids) => changes.push(ids), time, () => time.now);
  return { time, model, changes, clock };
}

const statusOf = (m: AgentsTreeModel, id: string) => m.getSession(id)!.status;
const node = (sessionId: string): TreeNode => ({ kind: 'session', sessionId });

test('statuses age at the next idle/end crossing: one timer per crossing, no polling, no server call', () => {
  const { time, model, changes, clock } = setup();
  model.setSessions([session('a', T0 - 1 * MIN), session('b', T0 - 3 * MIN), session('done', T0 - 1 * MIN, { status: 'ended', ended_at: new Date(T0).toISOString() })]);
  clock.schedule();

  assert.deepEqual(time.delays(), [2 * MIN + 1], 'one timer, at b going idle (3 of 5 quiet minutes passed), not a poll');
  assert.equal(model.view(node('b'), time.now)!.icon.id, 'pulse');

  time.advanceTo(T0 + 2 * MIN + 1);
  assert.deepEqual(changes, [['b']]);
  assert.equal(statusOf(model, 'b'), 'idle');
  assert.equal(model.view(node('b'), time.now)!.icon.id, 'debug-pause', 'the tree shows it idle without a refresh');
  assert.equal(statusOf(model, 'a'), 'active');
  assert.deepEqual(time.delays(), [2 * MIN], 'then a timer for a going idle');

  time.advanceTo(T0 + 40 * MIN);
  assert.deepEqual(changes, [['b'], ['a']]);
  assert.equal(model.view({ kind: 'agent', agentType: 'claude-code' }, time.now)!.description, '3 sessions', 'no session counted active any more');
  assert.deepEqual(time.delays(), [117 * MIN - 40 * MIN + 1], 'next: b counting as ended');

  time.advanceTo(T0 + 200 * MIN);
  assert.deepEqual(changes, [['b'], ['a'], ['b'], ['a']], 'each crossing reported once');
  assert.equal(statusOf(model, 'a'), 'ended');
  assert.equal(statusOf(model, 'done'), 'ended');
  assert.deepEqual(time.delays(), [], 'nothing left to change: no timer');

  // A new event (session_update from the server) makes it active again and re-arms the timer.
  model.upsertSession(session('a', time.now));
  clock.schedule();
  assert.equal(statusOf(model, 'a'), 'active');
  assert.deepEqual(time.delays(), [5 * MIN + 1]);
  clock.dispose();
  assert.deepEqual(time.delays(), []);
});

test('a snapshot older than a crossing is aged at once', () => {
  const { time, model, changes, clock } = setup();
  model.setSessions([session('old', T0 - 40 * MIN)]);
  clock.schedule();
  assert.deepEqual(changes, [['old']]);
  assert.equal(statusOf(model, 'old'), 'idle');
  assert.deepEqual(time.delays(), [80 * MIN + 1]);
});

test('the ticker counts out sessions that went idle since the server computed its stats', () => {
  const stats = {
    generated_at: new Date(T0).toISOString(),
    active_sessions: 2,
    active_agents: 2,
    agents: [
      { agent_type: 'claude-code', last_seen_at: new Date(T0).toISOString(), sessions: 1, active_sessions: 1, today_cost_usd: 1, total_cost_usd: 1 },
      { agent_type: 'codex', last_seen_at: new Date(T0).toISOString(), sessions: 1, active_sessions: 1, today_cost_usd: 2, total_cost_usd: 2 },
    ],
    today: { tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 3, events: 2, sessions: 2, requests: 2 },
    burn_rate_usd_per_hour: 0,
  } as unknown as Stats;
  const sessions = [session('c', T0 - 1 * MIN), session('x', T0 - 3 * MIN, { agent_type: 'codex' })];
  assert.equal(statsAsOf(stats, sessions, T0, THRESHOLDS), stats, 'unchanged when nothing crossed');
  const later = statsAsOf(stats, sessions, T0 + 2 * MIN + 1, THRESHOLDS);
  assert.equal(later.active_sessions, 1);
  assert.equal(later.active_agents, 1);
  assert.deepEqual(later.agents.map((a) => a.active_sessions), [1, 0]);
  const owner = { kind: 'owner' as const, url: 'http://127.0.0.1:3142', pid: 1 };
  assert.match(tickerView(owner, later, null, null).text, /· 1 active$/);
  const much = statsAsOf(stats, sessions, T0 + 40 * MIN, THRESHOLDS);
  assert.match(tickerView(owner, much, null, null).text, /· 0 active$/, 'the status bar stops saying "active" 40 minutes later');
});

test('a wait (issue 18) outlasts the idle threshold and ends with the end threshold, in the tree and the status bar count', () => {
  const { time, model, changes, clock } = setup();
  model.setSessions([
    session('busy', T0 + MIN),
    session('asks', T0, { state: 'waiting_input', waiting_since: new Date(T0).toISOString(), waiting_message: 'Done. Run the tests?' }),
  ]);
  const owner = { kind: 'owner', url: 'http://127.0.0.1:3142', pid: 1 } as const;
  clock.schedule();
  assert.deepEqual(model.sessionsOf('claude-code').map((s) => s.session_id), ['asks', 'busy'], 'the waiting session first, though older');
  time.advanceTo(T0 + 30 * MIN);
  assert.equal(model.getSession('busy')!.state, 'idle');
  assert.equal(model.getSession('asks')!.state, 'waiting_input', 'still waiting past the idle threshold');
  assert.equal(model.view(node('asks'), time.now)!.icon.id, 'bell-dot');
  assert.match(tickerView(owner, null, null, null, model.waiting()).text, / · \$\(bell-dot\) 1 waiting$/);
  time.advanceTo(T0 + 121 * MIN);
  assert.deepEqual(changes.at(-1), ['asks'], 'the timer fired at its end crossing');
  assert.equal(model.getSession('asks')!.state, 'ended');
  assert.equal(model.getSession('asks')!.waiting_since, null);
  assert.deepEqual(model.waiting(), []);
  assert.doesNotMatch(tickerView(owner, null, null, null, model.waiting()).text, /waiting/);
});

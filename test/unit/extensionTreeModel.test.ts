import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import { storedEvent } from '../helpers/storedEvent';
import { AgentsTreeModel, DEFAULT_TREE_LIMITS, type TreeNode } from '../../src/extension/model/agentsTreeModel';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function session(over: Partial<Session> & { session_id: string }): Session {
  return {
    agent_type: 'claude-code',
    project: '/home/me/work/shop',
    branch: 'main',
    model: 'claude-sonnet-4-5',
    status: 'ended',
    started_at: ago(3600),
    last_event_at: ago(600),
    ended_at: null,
    event_count: 10,
    parent_session_id: null,
    last_tool: null,
    last_tool_status: null,
    last_event_type: null,
    transcript_path: null,
    state: 'working',
    waiting_since: null,
    waiting_message: null,
    context_tokens: null,
    context_window: null,
    tokens_in: 1200,
    tokens_out: 340,
    cache_read_tokens: 50000,
    cache_write_tokens: 2000,
    cost_usd: 1.234,
    ...over,
  };
}

function event(id: number, over: Partial<StoredEvent> = {}): StoredEvent {
  return storedEvent(id, { source: 'hook', duration_ms: 1500, created_at: ago(30), received_at: ago(30), ...over });
}

const labels = (m: AgentsTreeModel, nodes: TreeNode[]) => nodes.map((n) => m.view(n, NOW)!.label);

test('agent types come first, ordered by latest activity; sessions active first, then most recent', () => {
  const m = new AgentsTreeModel();
  m.setSessions([
    session({ session_id: 'old', project: '/p/old', last_event_at: ago(9000) }),
    session({ session_id: 'recent-ended', project: '/p/recent', last_event_at: ago(60) }),
    session({ session_id: 'active-older', project: '/p/busy', status: 'active', last_event_at: ago(300) }),
    session({ session_id: 'idle', project: '/p/idle', status: 'idle', last_event_at: ago(30) }),
    session({ session_id: 'cx', agent_type: 'codex', project: '/p/cx', last_event_at: ago(5) }),
  ]);
  const roots = m.roots();
  assert.deepEqual(labels(m, roots), ['Codex', 'Claude Code']);
  const claude = roots[1]!;
  assert.deepEqual(labels(m, m.children(claude)), ['busy', 'idle', 'recent', 'old']);
  assert.equal(m.view(claude, NOW)!.description, '1 active');
});

test('session rows show cost and age, a status icon and an escaped markdown tooltip', () => {
  const m = new AgentsTreeModel();
  m.setSessions([session({ session_id: 'abc', status: 'active', project: '/x/my_[proj]', cost_usd: 1.234, last_event_at: ago(125) })]);
  const v = m.view({ kind: 'session', sessionId: 'abc' }, NOW)!;
  assert.equal(v.description, '$1.23 · 2m ago');
  assert.equal(v.icon.id, 'pulse');
  assert.equal(v.collapsible, 'expanded');
  assert.match(v.tooltip!, /Project: \/x\/my\\_\\\[proj\\\]/);
  assert.match(v.tooltip!, /Branch: main/);
  assert.match(v.tooltip!, /Model: claude\\-sonnet\\-4\\-5/);
  assert.match(v.tooltip!, /Tokens: 1\.2k in · 340 out · 50k cache read · 2k cache write/);
  assert.equal(v.contextValue, 'session');
  m.upsertSession(session({ session_id: 'abc', status: 'ended', transcript_path: '/t.jsonl' }));
  const ended = m.view({ kind: 'session', sessionId: 'abc' }, NOW)!;
  assert.equal(ended.icon.id, 'circle-outline');
  assert.equal(ended.contextValue, 'session-transcript');
});

test('how full the context is (issue 18): percent of the model window in the row while running, the numbers in the tooltip', () => {
  const m = new AgentsTreeModel();
  m.setSessions([
    session({ session_id: 'full', status: 'active', cost_usd: 1.234, last_event_at: ago(125), context_tokens: 90_000, context_window: 200_000 }),
    session({ session_id: 'local', status: 'active', last_event_at: ago(125), model: 'my-local-model', context_tokens: 12_345, context_window: null }),
    session({ session_id: 'done', status: 'ended', context_tokens: 150_000, context_window: 200_000 }),
  ]);
  const v = (id: string) => m.view({ kind: 'session', sessionId: id }, NOW)!;
  assert.equal(v('full').description, '$1.23 · 2m ago · ctx 45%');
  assert.match(v('full').tooltip!, /Context: 45% of 200k \\\(90k tokens\\\)/);
  assert.doesNotMatch(v('local').description!, /ctx/);
  assert.match(v('local').tooltip!, /Context: 12\.3k tokens/);
  assert.doesNotMatch(v('done').description!, /ctx/, 'an ended session says nothing in its row');
  assert.match(v('done').tooltip!, /Context: 75% of 200k/);
});

test('session without project is labelled by its short id; running tool spins', () => {
  const m = new AgentsTreeModel();
  m.setSessions([session({ session_id: '0123456789abcdef', project: null, status: 'active', last_tool: 'Bash', last_tool_status: 'running' })]);
  const v = m.view({ kind: 'session', sessionId: '0123456789abcdef' }, NOW)!;
  assert.equal(v.label, 'session 01234567');
  assert.equal(v.icon.id, 'loading~spin');
});

test('activity: newest first, live events prepend, duplicates replace, list is bounded', () => {
  const m = new AgentsTreeModel({ ...DEFAULT_TREE_LIMITS, activityPerSession: 3 });
  m.setSessions([session({ session_id: 's1' })]);
  assert.equal(m.addEvent(event(1)), false, 'unknown activity is not tracked until loaded');
  m.setActivity('s1', [event(1), event(2, { event_type: 'user_prompt', tool_name: null })]);
  const node: TreeNode = { kind: 'session', sessionId: 's1' };
  assert.deepEqual(labels(m, m.children(node)), ['user prompt', 'Bash']);
  assert.equal(m.addEvent(event(3, { tool_name: 'Edit', status: 'running' })), true);
  const kids = m.children(node);
  assert.equal(m.view(kids[0]!, NOW)!.icon.id, 'loading~spin');
  // the running PreToolUse completed by its PostToolUse (same event_id, new row id)
  m.addEvent(event(4, { event_id: 'e3', tool_name: 'Edit', status: 'error' }));
  const after = m.children(node);
  assert.equal(after.filter((n) => n.kind === 'activity').length, 3);
  const first = m.view(after[0]!, NOW)!;
  assert.equal(first.label, 'Edit');
  assert.equal(first.icon.id, 'error');
  assert.match(first.description!, /^error · 1\.5 s · 30s ago$/);
  assert.equal(after[after.length - 1]!.kind, 'more');
});

test('memory stays bounded: oldest ended sessions are dropped first', () => {
  const m = new AgentsTreeModel({ ...DEFAULT_TREE_LIMITS, maxSessions: 3 });
  m.setSessions([
    session({ session_id: 'a', status: 'active', last_event_at: ago(99999) }),
    session({ session_id: 'b', last_event_at: ago(10) }),
    session({ session_id: 'c', last_event_at: ago(20) }),
  ]);
  m.upsertSession(session({ session_id: 'd', last_event_at: ago(5) }));
  assert.equal(m.sessionCount, 3);
  assert.ok(m.getSession('a'), 'active session kept although oldest');
  assert.equal(m.getSession('c'), undefined);
});

test('agent summaries add today cost to the agent row', () => {
  const m = new AgentsTreeModel();
  m.setSessions([session({ session_id: 'a', agent_type: 'codex', status: 'active' })]);
  m.setAgentSummaries([{ agent_type: 'codex', last_seen_at: ago(1), sessions: 4, active_sessions: 1, today_cost_usd: 3.5, total_cost_usd: 10 }]);
  const v = m.view({ kind: 'agent', agentType: 'codex' }, NOW)!;
  assert.equal(v.description, '1 active · $3.50 today');
  assert.match(v.tooltip!, /All time: \$10\.00/);
  assert.equal(v.icon.color, 'charts.green');
});

test('the sessions-per-agent limit applies when changed', () => {
  const m = new AgentsTreeModel();
  m.setSessions(Array.from({ length: 5 }, (_, i) => session({ session_id: `s${i}`, project: `/p/${i}`, last_event_at: ago(i * 10) })));
  const claude: TreeNode = { kind: 'agent', agentType: 'claude-code' };
  assert.equal(m.children(claude).length, 5);
  m.setSessionsPerAgent(2);
  assert.deepEqual(labels(m, m.children(claude)), ['0', '1']);
});

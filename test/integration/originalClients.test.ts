/**
 * Clients of the original AgentMonitor (its hook scripts and senders) keep working against ours:
 * its event types and agent spelling, a body encoded twice, and its `GET /api/events` parameters.
 * The payloads have the shapes its scripts send (curl -d with hand-built JSON).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventsPage, SessionDetail } from '../../src/core/contracts/api';
import { startTestServer } from '../helpers/server';

const SID = 'orig-1';
const at = (min: number) => new Date(Date.now() - (60 - min) * 60_000).toISOString();

test('its event types, agent spelling and double-encoded bodies are stored as ours; instruction contents never', async () => {
  const s = await startTestServer();
  const instruction = {
    session_id: SID,
    agent_type: 'claude_code',
    event_type: 'instruction_load',
    project: 'proj',
    source: 'hook',
    client_timestamp: at(1),
    metadata: { file_path: '/home/me/proj/CLAUDE.md', memory_type: 'Project', load_reason: 'session_start', globs: ['src/**'], content: 'SECRET=hunter2 and the rest of the file' },
  };
  assert.equal((await s.post('/api/events', instruction)).status, 201);
  const usage = { session_id: SID, agent_type: 'claude_code', event_type: 'llm_response', model: 'claude-sonnet-4-5', tokens_in: 1000, tokens_out: 200, client_timestamp: at(2) };
  // Encoded twice: the body is a JSON string that holds the event.
  const twice = await s.post('/api/events', JSON.stringify(JSON.stringify(usage)));
  assert.equal(twice.status, 201, JSON.stringify(twice.body));
  const batch = await s.post(
    '/api/events/batch',
    JSON.stringify(
      JSON.stringify({
        events: [
          { session_id: SID, agent_type: 'claude_code', event_type: 'git_commit', branch: 'feat/x', client_timestamp: at(3), metadata: { sha: 'abc123', message: 'fix' } },
          { session_id: SID, agent_type: 'claude_code', event_type: 'plan_step', branch: 'feat/x', client_timestamp: at(4), metadata: { step: 'write the test' } },
        ],
      }),
    ),
  );
  assert.equal(batch.status, 201, JSON.stringify(batch.body));

  const page = (await s.get<EventsPage>(`/api/events?session_id=${SID}`)).body;
  assert.deepEqual(
    page.events.map((e) => [e.event_type, e.agent_type]),
    [
      ['plan_step', 'claude-code'],
      ['git_commit', 'claude-code'],
      ['llm_request', 'claude-code'],
      ['instruction_load', 'claude-code'],
    ],
  );
  const load = page.events.find((e) => e.event_type === 'instruction_load')!;
  assert.deepEqual(load.metadata, { file_path: '/home/me/proj/CLAUDE.md', memory_type: 'Project', load_reason: 'session_start', globs: ['src/**'] });
  assert.doesNotMatch(JSON.stringify(page), /hunter2/);

  // One session (claude_code is claude-code), its usage counted and priced as any model call.
  const detail = (await s.get<SessionDetail>(`/api/sessions/${SID}`)).body;
  assert.equal(detail.session.agent_type, 'claude-code');
  assert.equal(detail.session.tokens_in, 1000);
  assert.ok((detail.session.cost_usd ?? 0) > 0, 'the llm_response is priced');

  // A string that does not hold JSON is still refused, naming the body.
  const bad = await s.post<{ errors: { field: string }[] }>('/api/events', JSON.stringify('not an event'));
  assert.equal(bad.status, 400);
  assert.equal(bad.body.errors[0].field, '(body)');
  const unknown = await s.post<{ errors: { field: string }[] }>('/api/events', { ...usage, event_type: 'llm_thinking' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.errors[0].field, 'event_type');
});

test('GET /api/events honours branch and offset as the original did; bad values name the field', async () => {
  const s = await startTestServer();
  const events = Array.from({ length: 5 }, (_, i) => ({
    session_id: 'b',
    agent_type: 'codex',
    event_type: 'tool_use',
    tool_name: 'shell',
    event_id: `b-${i}`,
    branch: i % 2 ? 'main' : 'feat/y',
    client_timestamp: at(10 + i),
  }));
  assert.equal((await s.post('/api/events/batch', events)).status, 201);
  const ids = async (q: string) => (await s.get<EventsPage>(`/api/events?${q}`)).body.events.map((e) => e.event_id);
  assert.deepEqual(await ids('branch=feat%2Fy'), ['b-4', 'b-2', 'b-0']);
  assert.deepEqual(await ids('branch=feat%2Fy&offset=1&limit=1'), ['b-2']);
  assert.deepEqual(await ids('offset=3'), ['b-1', 'b-0']);
  assert.deepEqual(await ids('offset=5'), []);
  for (const q of ['offset=-1', 'offset=abc', 'offset=100001']) {
    const r = await s.get<{ errors: { field: string }[] }>(`/api/events?${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(r.body.errors[0].field, 'offset');
  }
});

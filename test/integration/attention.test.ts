/**
 * Issue 18: a session's live state from the agents' hooks, through real HTTP on a real server:
 * `state` / `waiting_since` / `waiting_message` on `GET /api/sessions` and `/api/sessions/:id`,
 * `GET /api/attention` (waiting sessions, longest waiting first) and `session_update` over SSE.
 *
 * Payloads are real: the hooks of an interactive Claude Code 2.1.197 session that asked for
 * permission twice (`test/fixtures/claude-interactive`) and the captured Codex 0.169.0 hooks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttentionList, Session, SessionDetail, SessionsPage } from '../../src/core/contracts/api';
import { waitFor } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';
import { connectSse, type SseClient } from '../helpers/sse';
import { claudeTurn, codexHooks as codex, type Payload } from '../helpers/waitingHooks';

/** The same payload for another session (two agents at once). */
const inSession = (p: Payload, sid: string): Payload => ({ ...p, session_id: sid });

async function hook(s: TestServer, agent: 'claude-code' | 'codex', p: Payload): Promise<void> {
  const r = await s.post(`/api/hooks/${agent}`, p);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

async function session(s: TestServer, sid: string): Promise<Session> {
  const r = await s.get<SessionDetail>(`/api/sessions/${encodeURIComponent(sid)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.session;
}

/** Post a hook and wait until the store has applied it: `events` events stored, in `state`. */
async function step(s: TestServer, agent: 'claude-code' | 'codex', p: Payload, events: number, state: Session['state']): Promise<Session> {
  await hook(s, agent, p);
  const sid = String(p.session_id);
  return waitFor(`${sid} at ${events} events in state ${state} after ${String(p.hook_event_name)}`, async () => {
    const r = await s.get<SessionDetail>(`/api/sessions/${encodeURIComponent(sid)}`);
    const got = r.status === 200 ? r.body.session : null;
    return got && got.event_count >= events && got.state === state ? got : null;
  });
}

const attention = async (s: TestServer, q = '') => {
  const r = await s.get<AttentionList>(`/api/attention${q}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.sessions;
};

test('Claude Code: a permission prompt and the end of a turn make the session wait for the user; the next tool call or prompt clears it', async () => {
  const s = await startTestServer();
  const sse = (await connectSse(`${s.url}/api/stream`)) as SseClient;
  try {
    const { start, prompt, pre, permission, permissionPrompt, post, subagentPre, subagentPermission, subagentPost, stop, idlePrompt, end, sid } = claudeTurn();

    assert.equal((await step(s, 'claude-code', start, 1, 'idle')).waiting_since, null);
    await step(s, 'claude-code', prompt, 2, 'working');
    await step(s, 'claude-code', pre, 3, 'working');
    assert.deepEqual(await attention(s), []);

    // Asked to allow `ls -la`: waiting for permission, and saying what for.
    const asked = await step(s, 'claude-code', permission, 4, 'waiting_permission');
    assert.ok(asked.waiting_since, 'waiting_since is set');
    assert.equal(asked.waiting_message, 'Bash: ls -la');
    const live = await sse.waitFor('session_update', (m) => m.session.session_id === sid && m.session.state === 'waiting_permission');
    assert.equal(live.session.waiting_since, asked.waiting_since);
    assert.deepEqual((await attention(s)).map((x) => [x.session_id, x.state, x.waiting_since]), [[sid, 'waiting_permission', asked.waiting_since]]);
    const listed = (await s.get<SessionsPage>('/api/sessions')).body.sessions.find((x) => x.session_id === sid)!;
    assert.equal(listed.state, 'waiting_permission');
    assert.equal(listed.waiting_since, asked.waiting_since);

    // Claude Code's own notification of the same prompt is the same wait: it began at the request.
    const notified = await step(s, 'claude-code', permissionPrompt, 5, 'waiting_permission');
    assert.equal(notified.waiting_since, asked.waiting_since);
    assert.equal(notified.waiting_message, 'Bash: ls -la');

    // Allowed: the call completes, and the agent works again.
    const granted = await step(s, 'claude-code', post, 5, 'working');
    assert.equal(granted.waiting_since, null);
    assert.equal(granted.waiting_message, null);
    await sse.waitFor('session_update', (m) => m.session.session_id === sid && m.session.state === 'working' && m.session.event_count === 5);
    assert.deepEqual(await attention(s), []);

    // Its subagent asks too: the session waits again, until that call completes.
    await step(s, 'claude-code', subagentPre, 6, 'working');
    const subAsked = await step(s, 'claude-code', subagentPermission, 7, 'waiting_permission');
    assert.equal(subAsked.waiting_message, 'Bash: wc -c README.md');
    assert.notEqual(subAsked.waiting_since, asked.waiting_since, 'a new wait');
    await step(s, 'claude-code', subagentPost, 7, 'working');

    // The turn is over: it waits for the next prompt, showing its last message.
    const done = await step(s, 'claude-code', stop, 8, 'waiting_input');
    assert.equal(done.waiting_message, stop.last_assistant_message);
    const idle = await step(s, 'claude-code', idlePrompt, 9, 'waiting_input');
    assert.equal(idle.waiting_since, done.waiting_since, 'idle_prompt continues the wait that Stop began');

    // A second agent that starts waiting later is listed after it.
    const other = 'attention-second-session';
    await step(s, 'claude-code', inSession(start, other), 1, 'idle');
    await step(s, 'claude-code', inSession(prompt, other), 2, 'working');
    await step(s, 'claude-code', inSession(permission, other), 3, 'waiting_permission');
    assert.deepEqual((await attention(s)).map((x) => [x.session_id, x.state]), [
      [sid, 'waiting_input'],
      [other, 'waiting_permission'],
    ]);
    assert.deepEqual((await attention(s, '?limit=1')).map((x) => x.session_id), [sid]);
    assert.deepEqual((await attention(s, `?project=${encodeURIComponent(String(start.cwd))}&agent_type=codex`)).length, 0);

    // The next prompt clears it; the end of the session ends it.
    await step(s, 'claude-code', { ...prompt, prompt_id: 'second-prompt' }, 10, 'working');
    assert.deepEqual((await attention(s)).map((x) => x.session_id), [other]);
    const ended = await step(s, 'claude-code', end, 11, 'ended');
    assert.equal(ended.waiting_since, null);
    assert.equal((await session(s, other)).state, 'waiting_permission');
  } finally {
    sse.close();
  }
});

test('Codex: Stop makes the session wait for input until its next prompt; SessionEnd ends it', async () => {
  const s = await startTestServer();
  const [start] = codex('SessionStart');
  const [prompt] = codex('UserPromptSubmit');
  const [pre] = codex('PreToolUse');
  const [post] = codex('PostToolUse');
  const [stop] = codex('Stop');
  const [end] = codex('SessionEnd');
  const sid = String(start.session_id);
  await step(s, 'codex', start, 1, 'idle');
  await step(s, 'codex', prompt, 2, 'working');
  await step(s, 'codex', pre, 3, 'working');
  await step(s, 'codex', post, 3, 'working');
  const waiting = await step(s, 'codex', stop, 4, 'waiting_input');
  assert.equal(waiting.waiting_message, stop.last_assistant_message);
  assert.deepEqual((await attention(s, '?agent_type=codex')).map((x) => x.session_id), [sid]);
  await step(s, 'codex', end, 5, 'ended');
  assert.deepEqual(await attention(s), []);
});

test('Codex: the start of the call it asks about, arriving after the PermissionRequest (its hooks run at once), does not end the wait; the call\'s end does', async () => {
  const s = await startTestServer();
  const [start] = codex('SessionStart');
  const [prompt] = codex('UserPromptSubmit');
  const [pre] = codex('PreToolUse');
  const [post] = codex('PostToolUse');
  const sid = String(start.session_id);
  const permission: Payload = { ...pre, hook_event_name: 'PermissionRequest' };
  delete permission.tool_use_id;
  await step(s, 'codex', start, 1, 'idle');
  await step(s, 'codex', prompt, 2, 'working');
  const asked = await step(s, 'codex', permission, 3, 'waiting_permission');
  // Stored after the request, as the real TUI's hooks sometimes arrive (agents suite, codexWaiting).
  const still = await step(s, 'codex', pre, 4, 'waiting_permission');
  assert.equal(still.last_tool_status, 'running', 'the start was stored');
  assert.equal(still.waiting_since, asked.waiting_since);
  assert.equal(still.waiting_message, asked.waiting_message);
  assert.deepEqual((await attention(s)).map((x) => [x.session_id, x.state]), [[sid, 'waiting_permission']]);
  const ran = await step(s, 'codex', post, 4, 'working');
  assert.equal(ran.waiting_since, null);
});

test('a wait outlives the idle threshold but not the end threshold; an older event from another channel never undoes it', async () => {
  const s = await startTestServer();
  const sid = 'aging-session';
  const at = (min: number) => new Date(Date.now() - min * 60_000).toISOString();
  const post = (body: Payload) => s.post('/api/events', { session_id: sid, agent_type: 'claude-code', ...body });
  // 30 minutes ago the agent asked for permission (idle threshold 5 min, end 120 min).
  const askedAt = at(30);
  assert.equal((await post({ event_type: 'user_prompt', client_timestamp: at(31) })).status, 201);
  assert.equal((await post({ event_type: 'permission_request', tool_name: 'Bash', metadata: { input: { command: 'npm test' } }, client_timestamp: askedAt })).status, 201);
  // A transcript copy of an earlier tool call arrives later: it is older than the wait.
  assert.equal((await post({ event_type: 'tool_use', tool_name: 'Read', status: 'success', client_timestamp: at(30.5), source: 'import' })).status, 201);
  const waiting = await session(s, sid);
  assert.equal(waiting.status, 'idle');
  assert.equal(waiting.state, 'waiting_permission');
  assert.equal(waiting.waiting_since, askedAt);
  assert.equal(waiting.waiting_message, 'Bash: npm test');

  // Three hours ago: past the end threshold, it no longer needs anyone.
  const old = 'aged-out-session';
  assert.equal((await s.post('/api/events', { session_id: old, agent_type: 'claude-code', event_type: 'stop', client_timestamp: at(180) })).status, 201);
  const aged = await session(s, old);
  assert.equal(aged.state, 'ended');
  assert.equal(aged.waiting_since, null);
  assert.deepEqual((await attention(s)).map((x) => x.session_id), [sid]);

  // A session that only worked and went silent is idle.
  assert.equal((await s.post('/api/events', { session_id: 'quiet', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', client_timestamp: at(10) })).status, 201);
  assert.equal((await session(s, 'quiet')).state, 'idle');
});

test('GET /api/attention: a bad parameter is a 400 naming it', async () => {
  const s = await startTestServer();
  for (const q of ['limit=0', 'limit=abc', 'limit=501']) {
    const r = await s.get<{ error: string; field?: string }>(`/api/attention?${q}`);
    assert.equal(r.status, 400, q);
    assert.match(JSON.stringify(r.body), /limit/);
  }
});

test('Claude Code: a turn that failed (StopFailure) is in error, with its error, until the next prompt; not a wait', async () => {
  const s = await startTestServer();
  const { start, prompt, stop } = claudeTurn();
  await step(s, 'claude-code', start, 1, 'idle');
  await step(s, 'claude-code', prompt, 2, 'working');
  // No capture has one (the fake API never fails a turn): the Stop payload with StopFailure's documented fields.
  const { session_id, transcript_path, cwd, prompt_id } = stop;
  const failed = await step(s, 'claude-code', { session_id, transcript_path, cwd, prompt_id, hook_event_name: 'StopFailure', error: 'rate_limit', error_details: '429 Too Many Requests' }, 3, 'error');
  assert.equal(failed.waiting_message, 'rate_limit');
  assert.equal(failed.waiting_since, null);
  assert.deepEqual(await attention(s), []);
  await step(s, 'claude-code', { ...prompt, prompt_id: 'retry' }, 4, 'working');
});

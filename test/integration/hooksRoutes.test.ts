import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EventsPage, SessionDetail } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import { CLAUDE_CAPTURE, CODEX_CAPTURE, deadPort, jsonLines, REPO_ROOT, waitFor } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';

const SCRIPT = path.join(REPO_ROOT, 'hooks/claude-code/agentmonitor-hook.sh');
const CODEX = CODEX_CAPTURE;

async function postRaw(s: TestServer, p: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const r = await fetch(s.url + p, { method: 'POST', headers, body });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

async function events(s: TestServer, sessionId: string): Promise<StoredEvent[]> {
  const r = await s.get<EventsPage>(`/api/events?session_id=${encodeURIComponent(sessionId)}&limit=1000`);
  assert.equal(r.status, 200);
  return [...r.body.events].sort((a, b) => a.id - b.id);
}

const tools = (list: StoredEvent[]) => list.filter((e) => e.event_type === 'tool_use');

for (const capture of ['claude-json', 'claude-protobuf']) test(`captured Claude Code hooks (${capture}) replayed through POST /api/hooks/claude-code: sessions, tools, subagent`, async () => {
  const CLAUDE = path.join(CLAUDE_CAPTURE, '..', capture);
  const s = await startTestServer();
  const start = jsonLines(path.join(CLAUDE, 'hooks-SessionStart.jsonl'))[0];
  const bodies = jsonLines(path.join(CLAUDE, 'hooks-http.jsonl')).map((l) => l.body as Record<string, unknown>);
  const sid = String(start.session_id);
  const agentId = String(bodies.find((b) => b.hook_event_name === 'SubagentStart')?.agent_id);
  // What the capture says happened: each tool call (by its Pre hook) with the outcome of its Post hook.
  const outcome = (inSubagent: boolean) =>
    bodies
      .filter((b) => b.hook_event_name === 'PreToolUse' && !!b.agent_id === inSubagent)
      .map((pre) => {
        const post = bodies.find((b) => String(b.hook_event_name).startsWith('PostToolUse') && b.tool_use_id === pre.tool_use_id)!;
        return [pre.tool_name, post.hook_event_name === 'PostToolUseFailure' ? 'error' : 'success', post.duration_ms];
      });
  const first = await postRaw(s, '/api/hooks/claude-code', JSON.stringify(start));
  assert.equal(first.status, 200);
  assert.equal(first.text, '', 'the answer must be empty: a body could steer the agent');
  for (const line of jsonLines(path.join(CLAUDE, 'hooks-http.jsonl'))) {
    const headers = line.headers as Record<string, string>;
    const r = await postRaw(s, '/api/hooks/claude-code', JSON.stringify(line.body), {
      'content-type': headers['content-type'],
      'user-agent': headers['user-agent'],
      accept: headers.accept,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.text, '');
  }
  const parent = await waitFor('the session end', async () => {
    const list = await events(s, sid);
    return list.some((e) => e.event_type === 'session_end') ? list : null;
  });
  assert.deepEqual(parent.map((e) => e.event_type).filter((t) => t !== 'tool_use' && t !== 'hook_event' && t !== 'response'), [
    'session_start', 'user_prompt', 'subagent_start', 'subagent_stop', 'stop', 'session_end',
  ]);
  const inSubagent = (e: StoredEvent) => e.metadata?.agent_id === agentId;
  const parentTools = tools(parent).filter((e) => !inSubagent(e));
  assert.deepEqual(parentTools.map((e) => [e.tool_name, e.status, e.duration_ms]), outcome(false));
  assert.deepEqual(parentTools.map((e) => [e.tool_name, e.status]), [['Bash', 'success'], ['Read', 'success'], ['Read', 'error'], ['Agent', 'success']]);
  assert.ok(parentTools.every((e) => typeof e.duration_ms === 'number' && e.duration_ms > 0));
  assert.match(String(parentTools[2].metadata?.error), /File does not exist/);
  assert.equal((parentTools[0].metadata?.input as Record<string, unknown>).command, 'ls -la');
  assert.ok(parent.every((e) => e.project === '/home/dev/sandbox/proj' && e.source === 'hook'));
  assert.equal(parent.find((e) => e.event_type === 'user_prompt')?.metadata?.prompt, 'list the files');

  // The subagent's work is in the same session (as the transcript and telemetry put it), marked with its id.
  const subagent = parent.filter(inSubagent);
  assert.deepEqual(subagent.map((e) => e.event_type), ['subagent_start', 'tool_use', 'hook_event', 'subagent_stop']);
  assert.deepEqual(tools(subagent).map((e) => [e.tool_name, e.status, e.duration_ms]), outcome(true));
  assert.equal(tools(subagent).length, 1);

  const detail = await s.get<SessionDetail>(`/api/sessions/${encodeURIComponent(sid)}`);
  assert.equal(detail.status, 200);
  assert.equal(detail.body.session.status, 'ended');
  assert.equal(detail.body.session.project, '/home/dev/sandbox/proj');
  assert.deepEqual(detail.body.children, [], 'a subagent is no session of its own');
  const stats = await s.get<{ total: { cost_usd: number; tokens_in: number } }>('/api/stats');
  assert.equal(stats.body.total.cost_usd, 0, 'hooks carry no usage: they must add no cost');
});

test('a PreToolUse is visible as running until its PostToolUse completes the same row', async () => {
  const s = await startTestServer();
  const base = { session_id: 'run-1', cwd: REPO_ROOT, transcript_path: '/x.jsonl', tool_name: 'Bash', tool_use_id: 'toolu_live1', tool_input: { command: 'sleep 1' } };
  assert.equal((await s.post('/api/hooks/claude-code', { ...base, hook_event_name: 'PreToolUse' })).status, 200);
  const running = await waitFor('the running tool', async () => tools(await events(s, 'run-1'))[0]);
  assert.equal(running.status, 'running');
  const branch = spawnSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.trim();
  if (branch && branch !== 'HEAD') assert.equal(running.branch, branch, 'branch read from .git/HEAD of the cwd');
  await s.post('/api/hooks/claude-code', { ...base, hook_event_name: 'PostToolUse', tool_response: { stdout: '', stderr: '', interrupted: false }, duration_ms: 1004 });
  const done = await waitFor('the completed tool', async () => {
    const t = tools(await events(s, 'run-1'));
    return t.length === 1 && t[0].status === 'success' ? t[0] : null;
  });
  assert.equal(done.id, running.id);
  assert.equal(done.duration_ms, 1004);
});

test('captured Codex hooks replayed through POST /api/hooks/codex', async () => {
  const s = await startTestServer();
  const sid = '01a20b0a-7dc8-7c71-883b-a8f904513445';
  for (const name of ['SessionStart', 'UserPromptSubmit', 'PreModelRequest', 'PreToolUse', 'PostToolUse', 'Stop', 'SessionEnd']) {
    for (const payload of jsonLines(path.join(CODEX, `hooks-${name}.jsonl`))) {
      const r = await postRaw(s, '/api/hooks/codex', JSON.stringify(payload));
      assert.equal(r.status, 200);
      assert.equal(r.text, '');
    }
  }
  const list = await waitFor('the codex session end', async () => {
    const l = await events(s, sid);
    return l.some((e) => e.event_type === 'session_end') ? l : null;
  });
  assert.ok(list.every((e) => e.agent_type === 'codex'));
  const [tool] = tools(list);
  assert.equal(tool.tool_name, 'Bash');
  assert.equal(tool.status, 'success');
  assert.equal(typeof tool.duration_ms, 'number', 'duration from the Pre/Post pair');
  assert.equal(list.filter((e) => e.metadata?.hook_event_name === 'PreModelRequest').length, 2);
  const detail = await s.get<SessionDetail>(`/api/sessions/${sid}`);
  assert.equal(detail.body.session.model, 'gpt-5-codex');
  assert.equal(detail.body.session.status, 'ended');
});

test('unknown hook events are stored; unusable bodies get a short 4xx and store nothing', async () => {
  const s = await startTestServer({ maxBodyBytes: 4096 });
  const ok = await s.post('/api/hooks/claude-code', { session_id: 'u-1', cwd: '/tmp', hook_event_name: 'SomethingNew', detail: 'x' });
  assert.equal(ok.status, 200);
  const stored = await waitFor('the unknown event', async () => (await events(s, 'u-1'))[0]);
  assert.equal(stored.event_type, 'hook_event');
  assert.equal(stored.metadata?.hook_event_name, 'SomethingNew');
  assert.equal(stored.metadata?.detail, 'x');

  const bad = await postRaw(s, '/api/hooks/claude-code', '{"session_id": ');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /invalid JSON/);
  const arr = await postRaw(s, '/api/hooks/codex', '[1,2]');
  assert.equal(arr.status, 400);
  assert.match(arr.text, /JSON object/);
  const noSession = await postRaw(s, '/api/hooks/codex', '{"hook_event_name":"Stop"}');
  assert.equal(noSession.status, 400);
  assert.match(noSession.text, /session_id/);
  const huge = await postRaw(s, '/api/hooks/claude-code', JSON.stringify({ session_id: 'u-2', hook_event_name: 'PostToolUse', tool_response: 'y'.repeat(10_000) }));
  assert.equal(huge.status, 413);
  const all = await s.get<EventsPage>('/api/events?limit=1000');
  assert.deepEqual(all.body.events.map((e) => e.session_id), ['u-1']);
});

test('the command hook script: silent exit 0 with the server down; the POST arrives when it is up', async () => {
  const payload = JSON.stringify({ session_id: 'cmd-1', cwd: '/tmp', hook_event_name: 'SessionStart', source: 'startup' });
  const down = spawnSync('sh', [SCRIPT, 'claude-code', String(await deadPort())], { input: payload, encoding: 'utf8' });
  assert.equal(down.status, 0);
  assert.equal(down.stdout, '');
  assert.equal(down.stderr, '');
  const big = JSON.stringify({ session_id: 'cmd-big', hook_event_name: 'PostToolUse', tool_response: 'z'.repeat(1_000_000) });
  const bigDown = spawnSync('sh', [SCRIPT, 'claude-code', String(await deadPort())], { input: big, encoding: 'utf8' });
  assert.equal(bigDown.error, undefined, 'the whole payload is read even when the post fails (no EPIPE for the agent)');
  assert.equal(bigDown.status, 0);

  const s = await startTestServer();
  const up = spawnSync('sh', [SCRIPT, 'claude-code', String(s.port)], { input: payload, encoding: 'utf8' });
  assert.equal(up.status, 0);
  assert.equal(up.stdout, '');
  const stored = await waitFor('the forwarded hook', async () => (await events(s, 'cmd-1'))[0]);
  assert.equal(stored.event_type, 'session_start');
  assert.equal(stored.metadata?.source, 'startup');

  const codex = spawnSync('sh', [SCRIPT, 'codex'], {
    input: JSON.stringify({ session_id: 'cmd-2', hook_event_name: 'Stop' }),
    encoding: 'utf8',
    env: { ...process.env, AGENTMONITOR_PORT: String(s.port) },
  });
  assert.equal(codex.status, 0);
  const viaEnv = await waitFor('the codex hook via AGENTMONITOR_PORT', async () => (await events(s, 'cmd-2'))[0]);
  assert.equal(viaEnv.agent_type, 'codex');
});

test('with AGENTMONITOR_TOKEN set, hooks need the bearer token; the script sends it from its environment', async () => {
  const s = await startTestServer({ token: 'hook-secret' });
  const payload = { session_id: 'tok-1', cwd: '/tmp', hook_event_name: 'Stop' };
  assert.equal((await s.post('/api/hooks/claude-code', payload)).status, 401);
  assert.equal((await s.post('/api/hooks/claude-code', payload, { authorization: 'Bearer hook-secret' })).status, 200);
  const run = spawnSync('sh', [SCRIPT, 'codex', String(s.port)], {
    input: JSON.stringify({ ...payload, session_id: 'tok-2' }),
    encoding: 'utf8',
    env: { ...process.env, AGENTMONITOR_TOKEN: 'hook-secret' },
  });
  assert.equal(run.status, 0);
  const stored = await waitFor('the script’s authorized hook', async () => (await events(s, 'tok-2'))[0]);
  assert.equal(stored.agent_type, 'codex');
  assert.equal((await events(s, 'tok-1')).length, 1);
});

/**
 * Issue 18: a permission granted ends the wait when the agent proceeds, not when the call ends.
 * The hooks say when Claude Code or Codex asks (PermissionRequest) and when the call is over
 * (PostToolUse, which for `npm test` may be minutes after the answer); their OTLP `tool_decision`
 * says when the user answered. Real hooks of interactive sessions (`test/fixtures/claude-interactive`,
 * `test/fixtures/codex-interactive/approved`) and the captured OTLP tool_decision records
 * (`claude-json`, `codex-json`: there decided by config, here given the user's source, the call's id
 * and a time of now), through a real server.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { AttentionList, Session } from '../../src/core/contracts/api';
import { CLAUDE_CAPTURE, CODEX_CAPTURE, jsonLines, REPO_ROOT } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';
import { openSse, type SseClient } from '../helpers/sse';
import { claudeTurn, type Payload } from '../helpers/waitingHooks';

type Json = Record<string, unknown>;
type Attr = { key: string; value: Record<string, unknown> };

/** The first captured OTLP log request holding a tool_decision record, cut down to that record with `set` applied. */
function toolDecision(otlpDir: string, set: Record<string, string>): Json {
  for (const f of fs.readdirSync(otlpDir).filter((n) => n.endsWith('-otlp-logs.json')).sort()) {
    const body = JSON.parse(fs.readFileSync(path.join(otlpDir, f), 'utf8')) as { resourceLogs: { resource: Json; scopeLogs: { scope: Json; logRecords: { attributes: Attr[] }[] }[] }[] };
    for (const rl of body.resourceLogs) {
      for (const sl of rl.scopeLogs) {
        const rec = sl.logRecords.find((r) => r.attributes.some((a) => a.key === 'event.name' && String(a.value.stringValue).endsWith('tool_decision')));
        if (!rec) continue;
        const now = new Date();
        const attrs = rec.attributes.map((a) => (a.key in set ? { key: a.key, value: { stringValue: set[a.key] } } : a.key === 'event.timestamp' ? { key: a.key, value: { stringValue: now.toISOString() } } : a));
        const nanos = `${now.getTime()}000000`;
        return { resourceLogs: [{ resource: rl.resource, scopeLogs: [{ scope: sl.scope, logRecords: [{ ...rec, timeUnixNano: nanos, observedTimeUnixNano: nanos, attributes: attrs }] }] }] };
      }
    }
  }
  throw new Error(`no tool_decision record under ${otlpDir}`);
}

async function watch(s: TestServer): Promise<SseClient> {
  const sse = await openSse(`${s.url}/api/stream`);
  after(() => sse.close());
  return sse;
}

/** Post a hook or an OTLP body and wait for the session to reach `state` (a message after this post). */
async function moves(s: TestServer, sse: SseClient, sid: string, send: () => Promise<{ status: number }>, state: Session['state']): Promise<Session> {
  const from = sse.messages.length;
  const r = await send();
  assert.equal(r.status, 200);
  return (await sse.waitFor('session_update', (m) => sse.messages.indexOf(m) >= from && m.session.session_id === sid && m.session.state === state, 30_000)).session;
}

const waiting = async (s: TestServer) => (await s.get<AttentionList>('/api/attention')).body.sessions.map((x) => [x.session_id, x.state]);

test('Claude Code: the OTLP tool_decision of the user allowing the call ends the wait before its PostToolUse', async () => {
  const s = await startTestServer();
  const sse = await watch(s);
  const { sid, start, prompt, pre, permission, post } = claudeTurn();
  const hook = (p: Payload) => () => s.post('/api/hooks/claude-code', p);
  for (const p of [start, prompt]) assert.equal((await s.post('/api/hooks/claude-code', p)).status, 200);
  await moves(s, sse, sid, hook(pre), 'working');
  await moves(s, sse, sid, hook(permission), 'waiting_permission');
  assert.deepEqual(await waiting(s), [[sid, 'waiting_permission']]);

  const decision = toolDecision(path.join(CLAUDE_CAPTURE, 'otlp'), { 'session.id': sid, tool_use_id: String(pre.tool_use_id), source: 'user_temporary', decision: 'accept' });
  const proceeding = await moves(s, sse, sid, () => s.post('/api/otel/v1/logs', decision), 'working');
  assert.equal(proceeding.last_tool_status, 'running', 'the call runs on');
  assert.deepEqual(await waiting(s), []);
  await moves(s, sse, sid, hook(post), 'working');
});

test('Codex: the OTLP codex.tool_decision approving the call ends the wait before its PostToolUse', async () => {
  const s = await startTestServer();
  const sse = await watch(s);
  const dir = path.join(REPO_ROOT, 'test/fixtures/codex-interactive/approved');
  const hooks = (name: string) => jsonLines(path.join(dir, `hooks-${name}.jsonl`));
  const [pre] = hooks('PreToolUse');
  const sid = String(pre.session_id);
  for (const p of [...hooks('SessionStart'), ...hooks('UserPromptSubmit')]) assert.equal((await s.post('/api/hooks/codex', p)).status, 200);
  await moves(s, sse, sid, () => s.post('/api/hooks/codex', pre), 'working');
  const asked = await moves(s, sse, sid, () => s.post('/api/hooks/codex', hooks('PermissionRequest')[0]), 'waiting_permission');
  assert.equal(asked.waiting_message, 'Bash: ls -la');

  const decision = toolDecision(path.join(CODEX_CAPTURE, 'otlp'), { 'conversation.id': sid, call_id: String(pre.tool_use_id), source: 'User', decision: 'approved', originator: 'codex-tui' });
  await moves(s, sse, sid, () => s.post('/api/otel/v1/logs', decision), 'working');
  assert.deepEqual(await waiting(s), []);
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { toolEventId } from '../../src/core/contracts/eventIds';
import { validateEvent, type EventInputRaw } from '../../src/core/contracts/events';
import { HookPairing } from '../../src/core/hooks/hookPairing';
import { hookPayloadProblem, normalizeHookPayload, type HookAgent } from '../../src/core/hooks/normalize';
import { CLAUDE_CAPTURE, CODEX_CAPTURE, jsonLines } from '../helpers/hookFixtures';
import { clip, summarizeToolInput, summarizeToolResponse } from '../../src/core/hooks/summarize';

const CLAUDE = CLAUDE_CAPTURE;
const CODEX = CODEX_CAPTURE;

function run(agent: HookAgent, payloads: Record<string, unknown>[], start = 1_700_000_000_000) {
  const pairing = new HookPairing();
  const cwds: string[] = [];
  const out: EventInputRaw[] = [];
  payloads.forEach((p, i) => {
    out.push(...normalizeHookPayload(agent, p, { receivedAt: start + i * 100, branchFor: (cwd) => (cwds.push(cwd), 'main'), pairing }));
  });
  return { events: out, cwds, pairing };
}

const meta = (e: EventInputRaw) => (e.metadata ?? {}) as Record<string, unknown>;

test('every captured Claude Code hook (http + SessionStart command hook) normalizes to valid events', () => {
  const http = jsonLines(path.join(CLAUDE, 'hooks-http.jsonl')).map((l) => l.body as Record<string, unknown>);
  const start = jsonLines(path.join(CLAUDE, 'hooks-SessionStart.jsonl'));
  const { events } = run('claude-code', [...start, ...http]);
  for (const e of events) {
    const v = validateEvent(e);
    assert.ok(v.ok, `invalid: ${JSON.stringify(e)} ${JSON.stringify(!v.ok && v.errors)}`);
  }
  const sid = '5df58c72-10ee-4455-8525-dd0ff3c62090';
  const agentId = 'a5c44ff8e915123f7';
  assert.deepEqual([...new Set(events.map((e) => e.session_id))], [sid], 'subagent work stays in the session that spawned it');
  const types = events.map((e) => e.event_type);
  assert.equal(types[0], 'session_start');
  assert.equal(types.at(-1), 'session_end');
  assert.ok(types.includes('user_prompt'));
  assert.equal(types.filter((t) => t === 'session_start').length, 1, 'a subagent is not a session of its own');
  const lifecycle = events.filter((e) => e.event_type === 'subagent_start' || e.event_type === 'subagent_stop');
  assert.deepEqual(lifecycle.map((e) => [e.event_type, meta(e).agent_id]), [['subagent_start', agentId], ['subagent_stop', agentId]]);
  const inSubagent = events.filter((e) => meta(e).agent_id === agentId && !lifecycle.includes(e));
  assert.deepEqual(inSubagent.map((e) => e.event_type), ['tool_use', 'tool_use', 'hook_event'], 'its tool call (Pre, Post) and its Stop');
  for (const e of events) {
    assert.equal(e.project, '/home/dev/sandbox/proj');
    assert.equal(e.branch, 'main');
    assert.equal(e.source, 'hook');
    assert.equal(meta(e).parent_session_id, undefined);
  }
  const startEvent = events.find((e) => e.event_type === 'session_start' && e.session_id === sid)!;
  assert.equal(meta(startEvent).source, 'startup');
  assert.equal(meta(events.find((e) => e.event_type === 'session_end' && e.session_id === sid)!).reason, 'other');
});

test('Claude Code Pre/Post tool hooks share one event id: running, then final status with duration', () => {
  const http = jsonLines(path.join(CLAUDE, 'hooks-http.jsonl')).map((l) => l.body as Record<string, unknown>);
  const { events } = run('claude-code', http);
  const byId = (id: string) => events.filter((e) => e.event_id === toolEventId('claude-code', id));
  const bash = byId('toolu_fakemwtzejq70000');
  assert.deepEqual(bash.map((e) => e.status), ['running', 'success']);
  assert.equal(bash[1].duration_ms, 371);
  assert.equal(bash[0].tool_name, 'Bash');
  assert.equal((meta(bash[0]).input as Record<string, unknown>).command, 'ls -la');
  assert.match(String((meta(bash[1]).output as Record<string, unknown>).stdout), /README\.md/);
  const missing = byId('toolu_fakemwtzekh00004');
  assert.deepEqual(missing.map((e) => e.status), ['running', 'error']);
  assert.equal(missing[1].duration_ms, 21);
  assert.match(String(meta(missing[1]).error), /File does not exist/);
  const read = byId('toolu_fakemwtzekh00003');
  assert.equal((meta(read[1]).output as Record<string, unknown>).file_path, '/home/dev/sandbox/proj/README.md');
  const agentTool = byId('toolu_fakemwtzekud0007');
  const out = meta(agentTool[1]).output as Record<string, unknown>;
  assert.equal(out.agent_id, 'a5c44ff8e915123f7');
  assert.equal(out.subagent_tokens, 16073);
  assert.equal(agentTool[1].tokens_in, undefined, 'hook usage must never be counted: the transcript carries it');
  const sub = byId('toolu_fakemwtzel1u000a');
  assert.equal(sub[0].session_id, '5df58c72-10ee-4455-8525-dd0ff3c62090');
  assert.equal(meta(sub[0]).agent_id, 'a5c44ff8e915123f7');
});

test('Codex hooks: tool duration from the Pre/Post pair, model on session and prompt, PreModelRequest kept', () => {
  const order = ['SessionStart', 'UserPromptSubmit', 'PreModelRequest', 'PreToolUse', 'PostToolUse', 'Stop', 'SessionEnd'];
  const payloads = order.flatMap((name) => jsonLines(path.join(CODEX, `hooks-${name}.jsonl`)).slice(0, 1));
  const { events, pairing } = run('codex', payloads);
  for (const e of events) assert.ok(validateEvent(e).ok);
  assert.deepEqual(events.map((e) => e.event_type), ['session_start', 'user_prompt', 'hook_event', 'tool_use', 'tool_use', 'stop', 'session_end']);
  assert.equal(events[0].model, 'gpt-5-codex');
  assert.equal(meta(events[2]).hook_event_name, 'PreModelRequest');
  assert.equal(meta(events[2]).model, 'gpt-5-codex');
  const [pre, post] = [events[3], events[4]];
  assert.equal(pre.event_id, toolEventId('codex', 'call_fakemwtzd7vu0003'));
  assert.equal(post.event_id, pre.event_id);
  assert.equal(pre.status, 'running');
  assert.equal(post.status, 'success');
  assert.equal(post.duration_ms, 100, 'received 100 ms apart');
  assert.equal(pairing.pendingTools, 0);
  assert.match(String((meta(post).output as Record<string, unknown>).output), /README\.md/);
  assert.equal(meta(events[1]).prompt, 'list the files');
  assert.ok(events[1].event_id?.includes('01a20b0a-7e4a-7a91-9329-7c67847f8d8f'), 'prompt id from turn_id');
});

test('unknown hook events are kept as hook_event with their name and scalar fields', () => {
  const { events } = run('claude-code', [
    { session_id: 's1', cwd: '/p', hook_event_name: 'BrandNewEvent', answer: 42, note: 'x'.repeat(5000), nested: { a: 1 }, list: [1, 2] },
  ]);
  assert.equal(events.length, 1);
  const e = events[0];
  assert.equal(e.event_type, 'hook_event');
  assert.equal(meta(e).hook_event_name, 'BrandNewEvent');
  assert.equal(meta(e).answer, 42);
  assert.ok(String(meta(e).note).length <= 501);
  assert.equal(meta(e).list_count, 2);
  assert.equal(meta(e).nested, undefined);
  assert.ok(validateEvent(e).ok);
});

test('PreCompact + PostCompact become one compaction event; other lifecycle hooks map to their types', () => {
  const base = { session_id: 's2', cwd: '/p', transcript_path: '/t.jsonl' };
  const { events } = run('claude-code', [
    { ...base, hook_event_name: 'PreCompact', trigger: 'auto' },
    { ...base, hook_event_name: 'PostCompact', trigger: 'auto', compact_summary: 'summary' },
    { ...base, hook_event_name: 'Notification', message: 'needs permission', notification_type: 'permission_prompt' },
    { ...base, hook_event_name: 'StopFailure', error: 'rate_limit' },
    { ...base, hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'rm -rf build' } },
    { ...base, hook_event_name: 'PermissionDenied', tool_name: 'Bash', tool_input: { command: 'rm -rf /' }, reason: 'auto mode' },
    { ...base, hook_event_name: 'MessageDisplay', message_id: 'm1', final: false, delta: 'par' },
    { ...base, hook_event_name: 'PreToolUse', tool_name: 'Read', tool_input: { file_path: '/a' } },
  ]);
  assert.deepEqual(events.map((e) => e.event_type), ['compaction', 'compaction', 'notification', 'error', 'permission_request', 'permission_denied', 'tool_use']);
  assert.equal(events[0].event_id, events[1].event_id);
  assert.deepEqual([events[0].status, events[1].status], ['running', 'success']);
  assert.equal(events[1].duration_ms, 100);
  assert.equal(meta(events[2]).notification_type, 'permission_prompt');
  assert.equal(events[3].status, 'error');
  assert.equal(meta(events[3]).error, 'rate_limit');
  assert.equal((meta(events[4]).input as Record<string, unknown>).command, 'rm -rf build');
  assert.equal(meta(events[5]).reason, 'auto mode');
  assert.equal(events[6].status, undefined, 'a PreToolUse without tool_use_id cannot be completed, so it is not "running"');
  assert.equal(events[6].event_id, undefined);
});

test('payloads that cannot be stored are named', () => {
  assert.match(hookPayloadProblem([1]) ?? '', /JSON object/);
  assert.match(hookPayloadProblem({ hook_event_name: 'Stop' }) ?? '', /session_id/);
  assert.equal(hookPayloadProblem({ session_id: 'x' }), null);
});

test('tool input and response summaries keep what a person needs and drop bulk', () => {
  const input = summarizeToolInput({ file_path: '/a.ts', content: 'x'.repeat(100_000), old_string: 'a', new_string: 'bb', edits: [{}, {}] })!;
  assert.deepEqual(input, { file_path: '/a.ts', content_chars: 100_000, old_string_chars: 1, new_string_chars: 2, edits_count: 2 });
  const out = summarizeToolResponse({ stdout: 'y'.repeat(10_000), stderr: '', exit_code: 2, interrupted: false })!;
  assert.equal(out.exit_code, 2);
  assert.ok(String(out.stdout).length <= 501);
  assert.equal(out.stderr, undefined);
  assert.deepEqual(summarizeToolResponse([{ type: 'text', text: 'hello' }]), { output: 'hello' });
  assert.equal(clip('ab\u{1F600}', 3), 'ab…', 'never splits a surrogate pair');
});

test('every hook payload of every capture (command-hook stdin and http bodies) normalizes to valid hook events', () => {
  let payloads = 0;
  for (const dir of ['claude-json', 'claude-protobuf', 'codex-json']) {
    const base = path.join(CLAUDE_CAPTURE, '..', dir);
    const agent: HookAgent = dir.startsWith('codex') ? 'codex' : 'claude-code';
    for (const file of fs.readdirSync(base).filter((f: string) => /^hooks-.*\.jsonl$/.test(f))) {
      const lines = jsonLines(path.join(base, file)).map((l) => (file === 'hooks-http.jsonl' ? (l.body as Record<string, unknown>) : l));
      assert.ok(lines.length, `${dir}/${file} is empty`);
      for (const p of lines) {
        payloads++;
        assert.equal(hookPayloadProblem(p), null);
        const { events } = run(agent, [p]);
        assert.ok(events.length >= 1, `${dir}/${file}: ${String(p.hook_event_name)} produced no event`);
        for (const e of events) {
          const v = validateEvent(e);
          assert.ok(v.ok, `${dir}/${file}: ${JSON.stringify(!v.ok && v.errors)}`);
          assert.equal(e.source, 'hook');
          assert.equal(e.agent_type, agent);
          assert.ok(JSON.stringify(e.metadata).length < 8 * 1024, 'metadata stays small');
        }
      }
    }
  }
  assert.ok(payloads > 60, `replayed ${payloads} payloads`);
});

/**
 * Gemini CLI's hooks (`agents/geminiCli/hooks.ts`) on the payloads the real CLI sent and the chat
 * log it wrote in the same run (`test/fixtures/gemini-cli/hooks`): the chat log is written line by
 * line as it was when each hook ran, and every prompt and call the hooks store must carry the id
 * the chat-log importer gives it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { geminiHooks, GEMINI_HOOK_EVENTS, GeminiHookMapper } from '../../src/core/agents/geminiCli/hooks';
import { channelEventId, toolEventId } from '../../src/core/contracts/eventIds';
import { validateEvent, type EventInputRaw } from '../../src/core/contracts/events';
import { HookPairing } from '../../src/core/hooks/hookPairing';
import { isOurHandler } from '../../src/core/hooks/hookSettings';
import { GeminiParser } from '../../src/core/importers/gemini';
import { jsonLines, REPO_ROOT } from '../helpers/hookFixtures';
import { tmpDir } from '../helpers/tmp';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/gemini-cli/hooks');
const CHAT_NAME = 'session-2026-12-08T00-57-9c2ffafa.jsonl';
const SID = '9c2ffafa-f3e1-417c-a800-9b493b9d8957';
const chatLines = fs.readFileSync(path.join(FIXTURE, 'chats', CHAT_NAME), 'utf8').split('\n').filter(Boolean);
const payloads = jsonLines(path.join(FIXTURE, 'payloads.jsonl'));
/** How many chat-log lines were written when each captured hook ran (by the records' times). */
const LINES_AT_HOOK = [2, 2, 2, 6, 6, 7, 11, 11, 12, 16, 16];

function world() {
  const dir = path.join(tmpDir('am-gemini-hooks-'), 'chats');
  fs.mkdirSync(dir);
  const chat = path.join(dir, CHAT_NAME);
  fs.writeFileSync(chat, '');
  const mapper = new GeminiHookMapper();
  const pairing = new HookPairing();
  let written = 0;
  const writeTo = (n: number) => {
    if (n > written) fs.appendFileSync(chat, chatLines.slice(written, n).map((l) => `${l}\n`).join(''));
    written = Math.max(written, n);
  };
  const send = (p: Record<string, unknown>, receivedAt: number) => mapper.map({ ...p, transcript_path: chat }, { receivedAt, branchFor: () => null, pairing });
  return { chat, send, writeTo };
}

const meta = (e: EventInputRaw) => (e.metadata ?? {}) as Record<string, unknown>;

function importerEvents(chat: string): EventInputRaw[] {
  const parser = new GeminiParser(chat, undefined);
  fs.readFileSync(chat, 'utf8').split('\n').forEach((l, i) => parser.line(l, i + 1));
  return parser.drain(true);
}

test('the captured run: the session, its prompt, both calls (paired, with the hooks\' times) and its end, under the importer\'s ids', () => {
  assert.equal(payloads.length, LINES_AT_HOOK.length);
  const w = world();
  const t0 = 1_800_000_000_000;
  const perHook = payloads.map((p, i) => {
    w.writeTo(LINES_AT_HOOK[i]);
    return w.send(p, t0 + i * 100);
  });
  const all = perHook.flat();
  for (const e of all) assert.ok(validateEvent(e).ok, JSON.stringify(e));
  assert.deepEqual(
    perHook.map((evs) => evs.map((e) => e.event_type)),
    [['session_start'], [], [], ['user_prompt', 'hook_event'], [], ['tool_use', 'tool_use'], ['hook_event'], [], ['tool_use', 'tool_use'], ['stop'], ['session_end']],
  );
  const byType = (t: string) => all.filter((e) => e.event_type === t);
  // Each call as its start (dated when BeforeTool fired) and its end (when AfterTool did), one id.
  const [listStart, list, readStart, read] = byType('tool_use');
  assert.equal(list.event_id, toolEventId('gemini-cli', 'list_directory__gcall_fakefzt0001'));
  assert.deepEqual([listStart.event_id, listStart.status, listStart.client_timestamp], [list.event_id, 'running', '2026-12-08T00:57:07.586Z']);
  assert.deepEqual([list.tool_name, list.status, list.duration_ms, list.client_timestamp], ['list_directory', 'success', 100, '2026-12-08T00:57:07.613Z']);
  assert.deepEqual([readStart.event_id, readStart.status], [read.event_id, 'running']);
  assert.equal(read.event_id, toolEventId('gemini-cli', 'read_file__gcall_fakefzt0005'));
  assert.deepEqual([read.tool_name, read.status, read.duration_ms], ['read_file', 'error', 100]);
  assert.match(String(meta(read).error), /File not found/);
  const prompt = byType('user_prompt')[0];
  assert.equal(meta(prompt).prompt, 'list the files');
  assert.equal(prompt.client_timestamp, '2026-12-08T00:57:07.324Z', 'the prompt is dated when it was submitted');
  assert.equal(byType('session_start')[0].event_id, channelEventId('session_start', 'gemini-cli', SID, 'chat'));
  assert.equal(meta(byType('stop')[0]).last_assistant_message, 'Listing the files. \nThe project contains README.md and src/main.py.');
  assert.equal(meta(byType('session_end')[0]).reason, 'exit');
  // Each prompt, call and start the hooks stored is one the importer stores under the same id.
  const imported = new Map(importerEvents(w.chat).map((e) => [e.event_id, e]));
  for (const e of [...byType('session_start'), prompt, list, read]) {
    const twin = imported.get(e.event_id);
    assert.ok(twin, `no imported event ${e.event_id}`);
    assert.equal(twin.event_type, e.event_type);
  }
  // The live marker of a running call is no call.
  assert.deepEqual(byType('hook_event').map((e) => [meta(e).hook_event_name, meta(e).tool_name, e.tool_name]), [['BeforeTool', 'list_directory', undefined], ['BeforeTool', 'read_file', undefined]]);
});

test("a hook that arrives after the chat log showed its call is still paired, once; a call the log never shows is never stored", () => {
  const w = world();
  const [start, beforeAgent, , beforeList, afterList, preCompress] = payloads;
  w.send(start, 1);
  w.send(beforeAgent, 2);
  w.send(beforeList, 3);
  // The next hook's POST overtakes AfterTool's: the log already holds the finished call.
  w.writeTo(7);
  assert.deepEqual(w.send(preCompress, 4).map((e) => e.event_type), ['user_prompt'], 'the call waits for its outcome');
  const late = w.send(afterList, 5);
  const listId = toolEventId('gemini-cli', 'list_directory__gcall_fakefzt0001');
  assert.deepEqual(late.map((e) => [e.event_type, e.event_id, e.status, e.duration_ms]), [['tool_use', listId, 'running', undefined], ['tool_use', listId, 'success', 2]]);
  assert.deepEqual(w.send(preCompress, 6), [], 'stored once');
  // A call of a sub-agent (recorded in its own file) or one the user denied: never in this log.
  const ghost = { ...beforeList, tool_name: 'web_fetch', tool_input: { url: 'http://x' } };
  w.send(ghost, 7);
  w.send({ ...ghost, hook_event_name: 'AfterTool', tool_response: { llmContent: 'x' } }, 7);
  w.writeTo(16);
  const rest = w.send(payloads[9], 8);
  assert.deepEqual(rest.map((e) => e.event_type), ['stop'], 'only the stop: no call without the log\'s id');
});

test("hooks' POSTs that arrive after the CLI wrote what follows them: the prompt and the call are still paired", () => {
  const w = world();
  // SessionStart and BeforeAgent reach the server only once the prompt's record is written.
  w.writeTo(3);
  const out = [...w.send(payloads[0], 0), ...w.send(payloads[1], 1)];
  w.writeTo(7);
  out.push(...w.send(payloads[3], 2), ...w.send(payloads[4], 3));
  assert.deepEqual(out.map((e) => e.event_type), ['session_start', 'user_prompt', 'hook_event', 'tool_use', 'tool_use']);
});

test('a repeated call is paired with its own record, not with an earlier one of the same input', () => {
  const w = world();
  w.send(payloads[0], 0);
  // Calls whose hooks never arrived (the server was busy): the log holds a list_directory of "." from before.
  w.writeTo(16);
  const later = { ...payloads[3], timestamp: '2026-12-08T01:00:00.000Z' };
  assert.deepEqual(w.send(later, 1).map((e) => e.event_type), ['hook_event']);
  assert.deepEqual(w.send({ ...payloads[4], timestamp: '2026-12-08T01:00:00.100Z' }, 2), []);
});

test('only a chat log of the session itself is read', () => {
  const w = world();
  const other = path.join(path.dirname(w.chat), 'session-2026-12-08T00-57-deadbeef.jsonl');
  fs.copyFileSync(path.join(FIXTURE, 'chats', CHAT_NAME), other);
  const mapper = new GeminiHookMapper();
  const ctx = { receivedAt: 1, branchFor: () => null, pairing: new HookPairing() };
  for (const p of payloads.slice(0, 9)) {
    const evs = mapper.map({ ...p, transcript_path: other }, ctx);
    assert.ok(evs.every((e) => e.event_type !== 'tool_use' && e.event_type !== 'user_prompt'), JSON.stringify(evs));
  }
  for (const p of payloads.slice(0, 9)) {
    const evs = mapper.map({ ...p, session_id: 'x', transcript_path: '/etc/passwd' }, ctx);
    assert.ok(evs.every((e) => e.event_type !== 'tool_use' && e.event_type !== 'user_prompt'));
  }
});

test("our hooks in Gemini CLI's settings shape: command hooks through the script, timeouts in ms, every tool matched", () => {
  const hooks = geminiHooks({ port: 4242, scriptPath: '/home/u/.agentmonitor/hooks/agentmonitor-hook.sh' });
  assert.deepEqual(Object.keys(hooks), [...GEMINI_HOOK_EVENTS]);
  for (const [event, groups] of Object.entries(hooks)) {
    assert.equal(groups.length, 1);
    const [h] = groups[0].hooks;
    assert.deepEqual(h, { name: 'agentmonitor', type: 'command', command: 'sh /home/u/.agentmonitor/hooks/agentmonitor-hook.sh gemini-cli 4242', timeout: 5000 });
    assert.ok(isOurHandler(h));
    assert.equal(groups[0].matcher, event === 'BeforeTool' || event === 'AfterTool' ? '*' : undefined);
  }
});

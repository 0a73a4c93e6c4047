/**
 * Copilot Chat's session files (VS Code's chat session store), built here to the format VS Code
 * writes: a real VS Code with a Copilot sign-in cannot run in the test environment, so these files
 * follow VS Code's chat model (`ISerializableChatData` v3) and its object mutation log (kind 0 the
 * state, 1 set at a path, 2 truncate-and-append at an array, 3 delete). Checked: the journal is
 * replayed (a streamed response, a request whose tokens arrive late in its `result`, a truncating
 * push), each request's usage once and marked approximate, the model that served it, tool calls,
 * the folder from `workspace.json`, the legacy `.json` document, and a replay adding nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { EventInputRaw } from '../../src/core/contracts/events';
import { CopilotChatParser, isCopilotChatFile, replayChatJournal } from '../../src/core/importers/copilotChat';
import type { LogParser } from '../../src/core/importers/types';
import { CHAT_SESSION_ID, chatJournal, chatRequest } from '../helpers/copilotChatFiles';

const SID = CHAT_SESSION_ID;

function parse(file: string): { events: EventInputRaw[]; skipped: number } {
  const p: LogParser = new CopilotChatParser(file);
  p.line(fs.readFileSync(file, 'utf8'), 1);
  return { events: p.drain(true), skipped: p.takeSkipped().length };
}

describe('Copilot Chat session files', () => {
  let user: string;
  let file: string;
  before(() => {
    user = fs.mkdtempSync(path.join(os.tmpdir(), 'am-copilot-chat-'));
    const ws = path.join(user, 'workspaceStorage', 'a1b2c3d4e5f6');
    fs.mkdirSync(path.join(ws, 'chatSessions'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'workspace.json'), JSON.stringify({ folder: pathToFileURL('/home/dev/my app').href }));
    file = path.join(ws, 'chatSessions', `${SID}.jsonl`);
    fs.writeFileSync(file, chatJournal());
  });
  after(() => fs.rmSync(user, { recursive: true, force: true }));

  it('knows its files', () => {
    assert.ok(isCopilotChatFile(file));
    assert.ok(isCopilotChatFile('/u/globalStorage/emptyWindowChatSessions/x.json'));
    assert.ok(!isCopilotChatFile('/u/workspaceStorage/h/state.vscdb'));
    assert.ok(!isCopilotChatFile('/u/workspaceStorage/h/workspace.json'));
  });

  it('replays the journal: pushes (truncating at i), sets and deletes', () => {
    const state = replayChatJournal(chatJournal(), [])!;
    const requests = state.requests as { response: { value?: string }[]; result?: unknown }[];
    assert.equal(requests.length, 2);
    assert.deepEqual(requests[0].response.map((r) => r.value ?? 'tool'), ['Let me look at the log.', 'tool', ' The import path is wrong.']);
    assert.ok(requests[0].result);
    assert.equal('customTitle' in state, false);
  });

  it('each finished request once, its late tokens marked approximate, under the model that served it', () => {
    const { events, skipped } = parse(file);
    assert.equal(skipped, 0);
    const llm = events.filter((e) => e.event_type === 'llm_request');
    assert.equal(llm.length, 1, 'the second request has no result yet');
    assert.deepEqual([llm[0].tokens_in, llm[0].tokens_out, llm[0].cache_read_tokens, llm[0].model, llm[0].duration_ms], [18234, 412, undefined, 'gpt-4.1-2025-04-14', 5400]);
    assert.equal((llm[0].metadata as { approximate?: boolean }).approximate, true);
    assert.equal(llm[0].session_id, SID);
    assert.equal(llm[0].agent_type, 'copilot-chat');
    assert.equal(llm[0].project, '/home/dev/my app', 'the folder workspace.json names');
  });

  it('prompts, the answer, tool calls with their state', () => {
    const { events } = parse(file);
    assert.deepEqual(events.filter((e) => e.event_type === 'user_prompt').map((e) => (e.metadata as { prompt: string }).prompt), ['why does the build fail?', 'and the tests?']);
    assert.deepEqual(events.filter((e) => e.event_type === 'response').map((e) => (e.metadata as { text: string }).text), ['Let me look at the log. The import path is wrong.']);
    assert.deepEqual(events.filter((e) => e.event_type === 'tool_use').map((e) => [e.tool_name, e.status]), [['run_in_terminal', 'success'], ['runTests', 'running']]);
  });

  it('a replay after more was appended gives the same ids, and the late result', () => {
    const first = parse(file).events;
    fs.appendFileSync(file, [
      { kind: 1, k: ['requests', 1, 'result'], v: { metadata: { promptTokens: 20111, outputTokens: 96, resolvedModel: 'claude-sonnet-4' } } },
      { kind: 1, k: ['requests', 1, 'response', 1, 'isComplete'], v: true },
    ].map((l) => JSON.stringify(l)).join('\n') + '\n');
    const second = parse(file).events;
    const ids = new Set(first.map((e) => e.event_id));
    const added = second.filter((e) => !ids.has(e.event_id));
    assert.deepEqual(added.map((e) => [e.event_type, e.tokens_in, e.model]), [['llm_request', 20111, 'claude-sonnet-4'], ['response', undefined, 'claude-sonnet-4']]);
    assert.equal(second.find((e) => e.tool_name === 'runTests')?.status, 'success', 'a running call completed by its later event');
  });

  it('the legacy .json document of an empty window', () => {
    const dir = path.join(user, 'globalStorage', 'emptyWindowChatSessions');
    fs.mkdirSync(dir, { recursive: true });
    const legacy = path.join(dir, 'legacy-session.json');
    const req = { ...chatRequest(1, 'hello'), response: [{ value: 'Hi!' }], result: { metadata: { promptTokens: 900, outputTokens: 12 } }, modelState: { value: 1 } };
    fs.writeFileSync(legacy, JSON.stringify({ version: 3, sessionId: 'legacy-1', creationDate: 1796600000000, requests: [req] }, null, 2));
    const { events } = parse(legacy);
    const llm = events.find((e) => e.event_type === 'llm_request')!;
    assert.deepEqual([llm.session_id, llm.tokens_in, llm.tokens_out, llm.model, llm.project], ['legacy-1', 900, 12, 'gpt-4.1', undefined]);
  });
});

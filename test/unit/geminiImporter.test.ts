/**
 * Gemini CLI chat logs. `test/fixtures/gemini-cli/gemini-home` holds a session written by the real
 * `@google/gemini-cli` 0.61.0 (a prompt, a `list_directory` call, two API responses; paths rewritten
 * to /home/dev); the other cases are lines in the same format built by hand, as its
 * `ChatRecordingService` writes them.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { validateEvent, type EventInputRaw } from '../../src/core/contracts/events';
import { discoverLogs } from '../../src/core/importers/discover';
import { tailFile } from '../../src/core/importers/fileTail';
import { GeminiParser, geminiFileInfo } from '../../src/core/importers/gemini';
import { tmpDir } from '../helpers/tmp';

const HOME = path.join(__dirname, '..', 'fixtures', 'gemini-cli', 'gemini-home');
const REAL = path.join(HOME, 'tmp', 'proj', 'chats', 'session-2026-12-07T16-54-9f58b443.jsonl');
const SID = '9f58b443-7941-4f93-8707-b6f6173d8cdc';

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

function feed(p: GeminiParser, ls: unknown[], final = true): EventInputRaw[] {
  ls.forEach((l, i) => p.line(typeof l === 'string' ? l : JSON.stringify(l), i + 1));
  return p.drain(final);
}

const meta = (sessionId: string, extra: object = {}) => ({ sessionId, projectHash: 'ab'.repeat(32), startTime: '2026-12-07T10:00:00.000Z', lastUpdated: '2026-12-07T10:00:00.000Z', kind: 'main', ...extra });
const tokens = (input: number, output: number, cached = 0, thoughts = 0, tool = 0) => ({ input, output, cached, thoughts, tool, total: input + output + thoughts + tool });
const gemini = (id: string, o: { tokens?: object | null; content?: string; toolCalls?: object[]; model?: string } = {}) => ({
  id,
  timestamp: '2026-12-07T10:00:01.000Z',
  type: 'gemini',
  content: o.content ?? '',
  thoughts: [],
  tokens: o.tokens === undefined ? tokens(100, 10) : o.tokens,
  model: o.model ?? 'gemini-2.5-pro',
  ...(o.toolCalls ? { toolCalls: o.toolCalls } : {}),
});
const user = (id: string, text: string) => ({ id, timestamp: '2026-12-07T10:00:00.500Z', type: 'user', content: [{ text }] });

describe('Gemini CLI chat logs', () => {
  it('reads a session the real CLI wrote: one prompt, two requests with exact tokens, one paired tool call', () => {
    const events = feed(new GeminiParser(REAL), lines(REAL));
    for (const e of events) assert.ok(validateEvent(e).ok, JSON.stringify(e));
    assert.ok(events.every((e) => e.session_id === SID && e.agent_type === 'gemini-cli' && e.project === '/home/dev/proj'));
    assert.deepEqual(events.filter((e) => e.event_type === 'session_start').length, 1);
    const prompts = events.filter((e) => e.event_type === 'user_prompt');
    assert.deepEqual(prompts.map((e) => (e.metadata as { prompt: string }).prompt), ['list the files here'], 'not the session context, not the tool result');
    const reqs = events.filter((e) => e.event_type === 'llm_request');
    // tokens {input 1006, output 26, cached 300, thoughts 7} and {1007, 27, 300, 7}: input includes cached, thoughts bill as output.
    assert.deepEqual(
      reqs.map((e) => [e.model, e.tokens_in, e.cache_read_tokens, e.tokens_out, e.reasoning_tokens]),
      [
        ['gemini-3.1-pro-preview', 706, 300, 33, 7],
        ['gemini-3.1-pro-preview', 707, 300, 34, 7],
      ],
    );
    assert.equal(new Set(reqs.map((e) => e.event_id)).size, 2, 'the message appended twice (tokens, then its tool call) is one request');
    const tools = events.filter((e) => e.event_type === 'tool_use');
    assert.deepEqual(tools.map((e) => [e.tool_name, e.status, e.event_id]), [['list_directory', 'success', 'tool:gemini-cli:list_directory__list_directory_1796662592634_0']]);
    assert.deepEqual(events.filter((e) => e.event_type === 'response').map((e) => (e.metadata as { text: string }).text), ['All done.']);
  });

  it('takes the last copy of a message id and never sums copies', () => {
    const call = { id: 'c1', name: 'read_file', args: { file_path: 'a' }, status: 'success', timestamp: '2026-12-07T10:00:02.000Z' };
    const events = feed(new GeminiParser('/x/.gemini/tmp/p/chats/session-a.jsonl'), [
      meta('s1'),
      user('u1', 'hello'),
      gemini('g1', { tokens: null }),
      gemini('g1', { tokens: tokens(500, 40, 200, 5) }),
      { $set: { lastUpdated: '2026-12-07T10:00:03.000Z' } },
      gemini('g1', { tokens: tokens(500, 40, 200, 5), toolCalls: [call] }),
      gemini('g1', { tokens: tokens(500, 40, 200, 5), toolCalls: [{ ...call, status: 'error' }] }),
    ]);
    const reqs = events.filter((e) => e.event_type === 'llm_request');
    assert.deepEqual(reqs.map((e) => [e.tokens_in, e.cache_read_tokens, e.tokens_out]), [[300, 200, 45]]);
    assert.deepEqual(events.filter((e) => e.event_type === 'tool_use').map((e) => e.status), ['error']);
  });

  it('two calls with the same counts both count: the later one gets its own id, also after a resumed pass', () => {
    const file = '/x/.gemini/tmp/p/chats/session-e.jsonl';
    const p1 = new GeminiParser(file);
    const first = feed(p1, [meta('s5'), user('u1', 'again'), gemini('g1', { tokens: tokens(80, 8) }), { $rewindTo: 'u1' }, user('u2', 'again')]);
    const p2 = new GeminiParser(file, JSON.parse(JSON.stringify(p1.state())));
    const second = feed(p2, [gemini('g2', { tokens: tokens(80, 8) }), gemini('g1', { tokens: tokens(80, 8) })]);
    const ids = [...first, ...second].filter((e) => e.event_type === 'llm_request').map((e) => e.event_id);
    assert.deepEqual(ids, ['llm:gemini-cli:s5#80.8.0.0.0', 'llm:gemini-cli:s5#80.8.0.0.0~g2', 'llm:gemini-cli:s5#80.8.0.0.0']);
  });

  it('holds the newest message while tailing, carries it in the state, and emits it once closed', () => {
    const file = '/x/.gemini/tmp/p/chats/session-b.jsonl';
    const p1 = new GeminiParser(file);
    const first = feed(p1, [meta('s2'), user('u1', 'go'), gemini('g1', { tokens: tokens(10, 1) })], false);
    assert.deepEqual(first.map((e) => e.event_type), ['session_start', 'user_prompt'], 'g1 may still get its tool calls');
    const p2 = new GeminiParser(file, JSON.parse(JSON.stringify(p1.state())));
    const call = { id: 'c9', name: 'run_shell_command', args: { command: 'ls' }, status: 'success' };
    p2.line(JSON.stringify(gemini('g1', { tokens: tokens(10, 1), toolCalls: [call] })), 4);
    p2.line(JSON.stringify(user('u2', 'next')), 5);
    const second = p2.drain(false);
    assert.deepEqual(second.map((e) => e.event_type), ['llm_request', 'tool_use']);
    assert.deepEqual(p2.drain(true).map((e) => e.event_type), ['user_prompt']);
  });

  it('counts rewound messages (they were billed) and reads message records inside $set', () => {
    const events = feed(new GeminiParser('/x/.gemini/tmp/p/chats/session-c.jsonl'), [
      meta('s3'),
      { $set: { messages: [user('ctx', '<session_context>\nstuff'), user('u0', 'from the resumed history'), gemini('g0', { tokens: tokens(50, 5) })] } },
      user('u1', 'try this'),
      gemini('g1', { tokens: tokens(70, 7) }),
      { $rewindTo: 'u1' },
      user('u2', '/compress'),
      user('u3', 'try that instead'),
      gemini('g2', { tokens: tokens(90, 9) }),
    ]);
    assert.deepEqual(events.filter((e) => e.event_type === 'llm_request').map((e) => e.tokens_in), [50, 70, 90]);
    assert.deepEqual(
      events.filter((e) => e.event_type === 'user_prompt').map((e) => (e.metadata as { prompt: string }).prompt),
      ['from the resumed history', 'try this', 'try that instead'],
    );
  });

  it("files a sub-agent's chat under its parent session", () => {
    const file = '/x/.gemini/tmp/p/chats/parent-123/sub-456.jsonl';
    assert.equal(geminiFileInfo(file).parentId, 'parent-123');
    const events = feed(new GeminiParser(file), [meta('sub-456', { kind: 'subagent' }), user('u1', 'investigate'), gemini('g1', { tokens: tokens(20, 2) })]);
    assert.ok(events.every((e) => e.session_id === 'parent-123'));
    assert.equal(events[0].event_type, 'subagent_start');
    assert.equal((events.find((e) => e.event_type === 'llm_request')!.metadata as { agent_id: string }).agent_id, 'sub-456');
  });

  it('finds the project path from .project_root, projects.json, or a folder named by the hash of the path', () => {
    const home = tmpDir();
    const proj = '/work/shop';
    const hashed = createHash('sha256').update(proj).digest('hex');
    fs.mkdirSync(path.join(home, 'tmp', 'named', 'chats'), { recursive: true });
    fs.mkdirSync(path.join(home, 'tmp', hashed, 'chats'), { recursive: true });
    fs.mkdirSync(path.join(home, 'tmp', 'marked', 'chats'), { recursive: true });
    fs.writeFileSync(path.join(home, 'projects.json'), JSON.stringify({ projects: { [proj]: 'named', '/elsewhere': 'other' } }));
    fs.writeFileSync(path.join(home, 'tmp', 'marked', '.project_root'), '/work/marked\n');
    assert.equal(geminiFileInfo(path.join(home, 'tmp', 'named', 'chats', 'session-a.jsonl')).project, proj);
    assert.equal(geminiFileInfo(path.join(home, 'tmp', hashed, 'chats', 'session-a.jsonl')).project, proj);
    assert.equal(geminiFileInfo(path.join(home, 'tmp', 'marked', 'chats', 'session-a.jsonl')).project, '/work/marked');
  });

  it('discovers chats (main, sub-agent, legacy .json) under tmp/ and nothing else there', async () => {
    const home = tmpDir();
    const chats = path.join(home, 'tmp', 'p', 'chats');
    fs.mkdirSync(path.join(chats, 'parent'), { recursive: true });
    fs.mkdirSync(path.join(home, 'tmp', 'p', 'checkpoints'), { recursive: true });
    for (const f of ['session-1.jsonl', 'session-0.json', 'parent/sub.jsonl']) fs.writeFileSync(path.join(chats, f), '');
    fs.writeFileSync(path.join(home, 'tmp', 'p', 'checkpoints', 'checkpoint-x.json'), '{}');
    fs.writeFileSync(path.join(home, 'tmp', 'p', 'logs.json'), '[]');
    const found = await discoverLogs({ geminiDirs: [home] });
    assert.deepEqual(
      found.map((f) => [path.relative(home, f.path), f.kind]),
      [
        ['tmp/p/chats/parent/sub.jsonl', 'gemini'],
        ['tmp/p/chats/session-0.json', 'gemini'],
        ['tmp/p/chats/session-1.jsonl', 'gemini'],
      ],
    );
  });

  it('reads a legacy whole-file .json session, again in full when it is rewritten', async () => {
    const dir = path.join(tmpDir(), 'tmp', 'p', 'chats');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'session-2025-06-01T10-00-old.json');
    const conv = { ...meta('old-1'), messages: [user('u1', 'hi'), gemini('g1', { tokens: tokens(30, 3, 10) })] };
    fs.writeFileSync(file, JSON.stringify(conv, null, 2));
    const got: EventInputRaw[] = [];
    const r1 = await tailFile(file, 'gemini', null, { final: true, onEvents: async (e) => void got.push(...e) });
    assert.deepEqual(r1.skipped, []);
    assert.deepEqual(got.map((e) => e.event_type), ['session_start', 'user_prompt', 'llm_request']);
    assert.equal(got[2].tokens_in, 20);
    conv.messages.push(gemini('g2', { tokens: tokens(40, 4) }));
    fs.writeFileSync(file, JSON.stringify(conv, null, 2));
    got.length = 0;
    await tailFile(file, 'gemini', r1.state, { final: true, onEvents: async (e) => void got.push(...e) });
    assert.deepEqual(
      got.filter((e) => e.event_type === 'llm_request').map((e) => e.event_id),
      ['llm:gemini-cli:old-1#30.3.10.0.0', 'llm:gemini-cli:old-1#40.4.0.0.0'],
      'read whole again; ids make g1 count once',
    );
  });

  it('skips lines that are not records and says why', () => {
    const p = new GeminiParser('/x/.gemini/tmp/p/chats/session-d.jsonl');
    feed(p, ['{not json', '[1]', { hello: 1 }, user('u1', 'before any metadata')]);
    assert.deepEqual(
      p.takeSkipped().map((s) => s.line),
      [1, 2, 3, 4],
    );
  });
});

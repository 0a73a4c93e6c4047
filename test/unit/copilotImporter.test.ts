/**
 * GitHub Copilot CLI session logs. `test/fixtures/copilot-cli/copilot-home` holds a session the real
 * `@github/copilot` 1.0.102 wrote against a fake Anthropic API on loopback (a prompt, a `bash`
 * call, two API calls; then resumed with a second prompt and one call, so two cumulative
 * shutdowns; paths rewritten to /home/dev, the system prompt removed); `openai-run` one against a
 * fake OpenAI chat-completions API, `subagent-run` one with a `task` sub-agent. The other cases are
 * lines in the same format (its `session-events.schema.json`), built by hand.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { validateEvent, type EventInputRaw } from '../../src/core/contracts/events';
import { CopilotParser, isCopilotEventsFile } from '../../src/core/importers/copilot';
import { discoverLogs } from '../../src/core/importers/discover';
import { priceBook } from '../../src/core/pricing/priceTables';

const HOME = path.join(__dirname, '..', 'fixtures', 'copilot-cli', 'copilot-home');
const SID = '3f47e0f9-b021-4e70-8c71-bb39a40d860f';
const REAL = path.join(HOME, 'session-state', SID, 'events.jsonl');

function lines(file: string): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

function feed(p: CopilotParser, ls: unknown[], final = true): EventInputRaw[] {
  ls.forEach((l, i) => p.line(typeof l === 'string' ? l : JSON.stringify(l), i + 1));
  return p.drain(final);
}

const tokensOf = (events: EventInputRaw[]) =>
  events.filter((e) => e.event_type === 'llm_request').map((e) => [e.model, e.tokens_in, e.cache_read_tokens, e.cache_write_tokens, e.tokens_out]);

const sum = (rows: (string | number | null | undefined)[][], i: number) => rows.reduce((a, r) => a + Number(r[i]), 0);

describe('Copilot CLI session logs', () => {
  it('reads a session the real CLI wrote: prompts, three calls with exact tokens, a paired tool call, two shutdowns counted once', () => {
    const events = feed(new CopilotParser(REAL), lines(REAL));
    for (const e of events) assert.ok(validateEvent(e).ok, JSON.stringify(e));
    assert.ok(events.every((e) => e.session_id === SID && e.agent_type === 'copilot-cli' && e.project === '/home/dev/proj' && e.branch === 'master'));
    assert.equal(events.filter((e) => e.event_type === 'session_start').length, 1);
    assert.deepEqual(events.filter((e) => e.event_type === 'user_prompt').map((e) => (e.metadata as { prompt: string }).prompt), ['list the files', 'say done']);
    // The fake answered input 101/102/103, cache read 4001..4003, cache write 301..303, output 21..23;
    // the log's inputTokens (4403, 4406, 4409) include both cache figures.
    assert.deepEqual(tokensOf(events), [
      ['claude-sonnet-4.6', 101, 4001, 301, 21],
      ['claude-sonnet-4.6', 102, 4002, 302, 22],
      ['claude-sonnet-4.6', 103, 4003, 303, 23],
    ]);
    const ids = events.filter((e) => e.event_type === 'llm_request').map((e) => e.event_id);
    assert.deepEqual(ids, ['msg_1', 'msg_2', 'msg_3'].map((m) => `llm:copilot-cli:${SID}#${m}`));
    const tools = events.filter((e) => e.event_type === 'tool_use');
    assert.deepEqual(tools.map((e) => [e.event_id, e.tool_name, e.status]), [[`tool:copilot-cli:toolu_1`, 'bash', 'success']]);
    assert.match(String((tools[0].metadata as { output: string }).output), /README\.md/);
    assert.equal(typeof tools[0].duration_ms, 'number');
    const ends = events.filter((e) => e.event_type === 'session_end');
    assert.equal(ends.length, 2, 'one per shutdown');
    assert.deepEqual(ends.map((e) => (e.metadata as { copilot_total_nano_aiu: number }).copilot_total_nano_aiu), [0, 0]);
    assert.deepEqual(events.filter((e) => e.event_type === 'response').map((e) => (e.metadata as { text: string }).text), ['Listing.', 'Done: README.md', 'Done: README.md']);
  });

  it('without usage records (older versions), counts each shutdown only beyond the previous one: cumulative totals never double', () => {
    const noRecords = lines(REAL).filter((l) => !l.includes('"session.usage_record"'));
    const events = feed(new CopilotParser(REAL), noRecords);
    const rows = tokensOf(events);
    assert.equal(rows.length, 2, 'one top-up per shutdown');
    // Totals of all three calls, whatever the split: fresh 306, read 12006, written 906, output 66.
    assert.deepEqual([sum(rows, 1), sum(rows, 2), sum(rows, 3), sum(rows, 4)], [306, 12006, 906, 66]);
    assert.deepEqual(rows[1], ['claude-sonnet-4.6', 103, 4003, 303, 23], 'the second shutdown adds the resumed call only');
  });

  it('a shutdown adds what the records missed, and nothing when they have it all', () => {
    const all = lines(REAL);
    // Drop the third usage record: the second shutdown's totals hold it.
    const third = all.findIndex((l, i) => l.includes('"session.usage_record"') && all.slice(0, i).filter((x) => x.includes('"session.usage_record"')).length === 2);
    const events = feed(new CopilotParser(REAL), all.filter((_, i) => i !== third));
    const rows = tokensOf(events);
    assert.deepEqual(rows.slice(2), [['claude-sonnet-4.6', 103, 4003, 303, 23]]);
    assert.equal(rows.length, 3);
  });

  it('carries its state between passes: a resumed tail counts nothing again and pairs a tool call split across passes', () => {
    const all = lines(REAL);
    const cut = all.findIndex((l) => l.includes('"tool.execution_complete"'));
    const first = new CopilotParser(REAL);
    const a = feed(first, all.slice(0, cut), false);
    const second = new CopilotParser(REAL, JSON.parse(JSON.stringify(first.state())));
    const b: EventInputRaw[] = [];
    all.slice(cut).forEach((l, i) => second.line(l, cut + i + 1));
    b.push(...second.drain(true));
    assert.deepEqual(tokensOf([...a, ...b]), tokensOf(feed(new CopilotParser(REAL), all)));
    const done = b.filter((e) => e.event_type === 'tool_use');
    assert.deepEqual(done.map((e) => [e.tool_name, e.status]), [['bash', 'success']], 'the completion names the tool started in the first pass');
  });

  it('a failed tool, a sub-agent prompt and an injected message', () => {
    const start = { type: 'session.start', id: 'e0', timestamp: '2026-12-07T10:00:00.000Z', parentId: null, data: { sessionId: 's1', version: 1, producer: 'copilot-agent', copilotVersion: '1.0.102', startTime: '2026-12-07T10:00:00.000Z', context: { cwd: '/w' } } };
    const events = feed(new CopilotParser('/x/session-state/s1/events.jsonl'), [
      start,
      { type: 'user.message', id: 'e1', timestamp: '2026-12-07T10:00:01.000Z', parentId: 'e0', data: { content: 'skill text', source: 'skill-pdf' } },
      { type: 'user.message', id: 'e2', timestamp: '2026-12-07T10:00:01.000Z', parentId: 'e1', agentId: 'sub1', data: { content: 'task for the sub-agent' } },
      { type: 'tool.execution_start', id: 'e3', timestamp: '2026-12-07T10:00:02.000Z', parentId: 'e2', data: { toolCallId: 'c1', toolName: 'view', arguments: { path: '/w/nope' } } },
      { type: 'tool.execution_complete', id: 'e4', timestamp: '2026-12-07T10:00:03.500Z', parentId: 'e3', data: { toolCallId: 'c1', success: false, error: { message: 'Path does not exist' } } },
      'not json',
    ]);
    assert.deepEqual(events.filter((e) => e.event_type === 'user_prompt').length, 0);
    const tool = events.filter((e) => e.event_type === 'tool_use');
    assert.deepEqual(tool.map((e) => [e.tool_name, e.status, e.duration_ms]), [['view', 'error', 1500]]);
    assert.equal((tool[0].metadata as { output: string }).output, 'Path does not exist');
  });

  it('with an OpenAI-compatible provider (chat completions): input includes the cached tokens, output the reasoning', () => {
    // The real CLI 1.0.102 with COPILOT_PROVIDER_TYPE=openai against a fake chat-completions API that
    // answered prompt_tokens 1001/1002 (cached 601/602), completion_tokens 51/52 (reasoning 21/22).
    const file = path.join(__dirname, '..', 'fixtures', 'copilot-cli', 'openai-run', 'session-state', 'ff7ed995-1915-4432-b1fd-ae75bf025948', 'events.jsonl');
    const events = feed(new CopilotParser(file), lines(file));
    const reqs = events.filter((e) => e.event_type === 'llm_request');
    assert.deepEqual(reqs.map((e) => [e.event_id, e.model, e.tokens_in, e.cache_read_tokens, e.cache_write_tokens, e.tokens_out, e.reasoning_tokens]), [
      ['llm:copilot-cli:ff7ed995-1915-4432-b1fd-ae75bf025948#chatcmpl-1', 'gpt-5-mini', 400, 601, 0, 51, 21],
      ['llm:copilot-cli:ff7ed995-1915-4432-b1fd-ae75bf025948#chatcmpl-2', 'gpt-5-mini', 400, 602, 0, 52, 22],
    ]);
    assert.deepEqual(events.filter((e) => e.event_type === 'tool_use').map((e) => [e.tool_name, e.status]), [['bash', 'success']]);
  });

  it('a sub-agent (the task tool): its calls counted once in the session, its turns named by the task call', () => {
    // The real CLI 1.0.102: a task call whose sub-agent ran bash, then the main answer; the fake API
    // answered input 101..104 (cache read 4001..4004, written 301..304), output 21..24.
    const sid = '2c12558a-1616-4ee7-a687-1f631a197923';
    const file = path.join(__dirname, '..', 'fixtures', 'copilot-cli', 'subagent-run', 'session-state', sid, 'events.jsonl');
    const events = feed(new CopilotParser(file), lines(file));
    for (const e of events) assert.ok(validateEvent(e).ok, JSON.stringify(e));
    assert.ok(events.every((e) => e.session_id === sid));
    const sub = '0a6fb415-610f-4df5-847a-176a0d5b7e54';
    assert.deepEqual(tokensOf(events), [1, 2, 3, 4].map((k) => ['claude-sonnet-4.6', 100 + k, 4000 + k, 300 + k, 20 + k]));
    const agentOf = (e: EventInputRaw) => (e.metadata as { agent_id?: string } | undefined)?.agent_id;
    assert.deepEqual(events.filter((e) => e.event_type === 'llm_request').map(agentOf), [undefined, sub, sub, undefined]);
    assert.deepEqual(events.filter((e) => e.event_type === 'user_prompt').map((e) => (e.metadata as { prompt: string }).prompt), ['count the README bytes with a subagent'], "not the sub-agent's prompt");
    assert.deepEqual(events.filter((e) => e.event_type === 'subagent_start' || e.event_type === 'subagent_stop').map((e) => [e.event_type, e.event_id]), [
      ['subagent_start', `subagent_start:copilot-cli:${sid}:${sub}`],
      ['subagent_stop', `subagent_stop:copilot-cli:${sid}:${sub}`],
    ]);
    const tools = events.filter((e) => e.event_type === 'tool_use');
    assert.deepEqual(tools.map((e) => [e.tool_name, e.status, agentOf(e)]), [['task', 'success', undefined], ['bash', 'success', sub]]);
    assert.equal((tools[0].metadata as { subagent_id?: string }).subagent_id, sub, 'the task call names its sub-agent');
  });

  it('finds events.jsonl under session-state and prices claude-sonnet-4.6 as claude-sonnet-4-6', async () => {
    assert.ok(isCopilotEventsFile(REAL));
    assert.ok(!isCopilotEventsFile(path.join(HOME, 'session-state', SID, 'workspace.yaml')));
    const found = await discoverLogs({ copilotDirs: [HOME] });
    assert.deepEqual(found.map((f) => [f.kind, f.path]), [['copilot', REAL]]);
    assert.equal(priceBook().resolve('claude-sonnet-4.6')?.key, 'claude-sonnet-4-6');
  });
});

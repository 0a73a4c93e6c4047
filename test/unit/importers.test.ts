import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { validateEvent, type EventInputRaw } from '../../src/core/contracts/events';
import { ClaudeParser, ClaudeSessionIndex, claudeFileInfo } from '../../src/core/importers/claudeCode';
import { CodexParser } from '../../src/core/importers/codex';
import { toolOutcome } from '../../src/core/importers/codexToolOutcome';
import { alreadyValid, validateImported } from '../../src/core/importers/eventCheck';
import { makeParser } from '../../src/core/importers/fileTail';
import { readLines } from '../../src/core/importers/lineReader';
import { TOOL_OUTPUT_MAX, type LogParser } from '../../src/core/importers/types';
import { tmpDir } from '../helpers/tmp';
import { FIXTURES_DIR } from '../helpers/sharedDir';

const SID = '11111111-2222-3333-4444-555555555555';

function feed(p: LogParser, lines: unknown[]): EventInputRaw[] {
  lines.forEach((l, i) => p.line(typeof l === 'string' ? l : JSON.stringify(l), i + 1));
  return p.drain(true);
}

function assistant(o: { msg: string; req?: string; out: number; side?: boolean; model?: string; content?: unknown[]; ts?: string; extra?: object }) {
  return {
    type: 'assistant',
    sessionId: SID,
    cwd: '/home/me/proj',
    gitBranch: 'main',
    isSidechain: o.side ?? false,
    timestamp: o.ts ?? '2025-10-01T10:00:00.000Z',
    requestId: o.req,
    uuid: `u-${o.msg}-${o.out}`,
    message: {
      id: o.msg,
      model: o.model ?? 'claude-sonnet-4-5-20250929',
      content: o.content ?? [{ type: 'text', text: 'hi' }],
      usage: { input_tokens: 10, output_tokens: o.out, cache_read_input_tokens: 100, cache_creation_input_tokens: 50, cache_creation: { ephemeral_5m_input_tokens: 30, ephemeral_1h_input_tokens: 20 } },
    },
    ...o.extra,
  };
}

const llm = (events: EventInputRaw[]) => events.filter((e) => e.event_type === 'llm_request');

describe('Claude Code transcript parser', () => {
  const parser = () => new ClaudeParser({ path: `/x/projects/p/${SID}.jsonl`, ...claudeFileInfo(`/x/projects/p/${SID}.jsonl`) });

  it('counts each (message.id, requestId) once with the largest usage (trap 1)', () => {
    const events = llm(feed(parser(), [assistant({ msg: 'm1', req: 'r1', out: 5 }), assistant({ msg: 'm1', req: 'r1', out: 40 }), assistant({ msg: 'm1', req: 'r1', out: 12 })]));
    assert.equal(events.length, 1);
    const e = events[0];
    assert.equal(e.tokens_out, 40);
    assert.equal(e.tokens_in, 10);
    assert.equal(e.cache_read_tokens, 100);
    assert.equal(e.cache_write_tokens, 50);
    assert.equal(e.cache_write_1h_tokens, 20);
    assert.equal(e.event_id, 'llm:claude-code:r1');
    assert.equal(e.project, '/home/me/proj');
    assert.equal(e.branch, 'main');
    assert.equal(e.client_timestamp, '2025-10-01T10:00:00.000Z');
    assert.equal(e.source, 'import');
  });

  it('prefers the main chain over a sidechain copy and skips sidechain replays under a new requestId (trap 2)', () => {
    const index = new ClaudeSessionIndex();
    const main = new ClaudeParser({ path: `/x/${SID}.jsonl`, fileSessionId: SID, index });
    const a = llm(feed(main, [assistant({ msg: 'm1', req: 'r1', out: 7 }), assistant({ msg: 'm1', req: 'r1', out: 99, side: true })]));
    assert.equal(a.length, 1);
    assert.equal(a[0].tokens_out, 7);
    const sub = new ClaudeParser({ path: `/x/${SID}/subagents/agent-a1.jsonl`, fileSessionId: SID, agentId: 'a1', index });
    const b = llm(feed(sub, [assistant({ msg: 'm1', req: 'r-replay', out: 7, side: true }), assistant({ msg: 'm2', req: 'r2', out: 3, side: true })]));
    assert.deepEqual(b.map((e) => e.event_id), ['llm:claude-code:r2']);
    assert.equal(b[0].session_id, SID, 'subagent usage counts in the parent session');
  });

  it('counts duplicate lines without a requestId once, with the largest usage', () => {
    const events = llm(feed(parser(), [assistant({ msg: 'm1', out: 5 }), assistant({ msg: 'm1', out: 40 }), assistant({ msg: 'm1', out: 12 })]));
    assert.deepEqual(events.map((e) => e.tokens_out), [40]);
  });

  it('does not count a sidechain replay that comes before its main-chain line, whatever the order', () => {
    const replayFirst = llm(feed(parser(), [assistant({ msg: 'm1', req: 'r-replay', out: 7, side: true }), assistant({ msg: 'm1', req: 'r1', out: 7 }), assistant({ msg: 'm2', req: 'r2', out: 3, side: true })]));
    assert.deepEqual(replayFirst.map((e) => e.event_id).sort(), ['llm:claude-code:r1', 'llm:claude-code:r2']);
    // Also when the replay was parsed in an earlier (not final) drain of the same pass.
    const p = parser();
    p.line(JSON.stringify(assistant({ msg: 'm1', req: 'r-replay', out: 7, side: true })), 1);
    p.line(JSON.stringify(assistant({ msg: 'm9', req: 'r9', out: 1 })), 2);
    const early = llm(p.drain(false));
    p.line(JSON.stringify(assistant({ msg: 'm1', req: 'r1', out: 7 })), 3);
    const all = [...early, ...llm(p.drain(true))];
    assert.deepEqual(all.map((e) => e.event_id).sort(), ['llm:claude-code:r1', 'llm:claude-code:r9']);
  });

  it('counts a line with message.usage whatever its type (as ccusage does)', () => {
    const { type: _t, ...untyped } = assistant({ msg: 'm3', req: 'r3', out: 4 });
    const events = llm(feed(parser(), [untyped, { ...assistant({ msg: 'm4', req: 'r4', out: 6 }), type: 'response' }]));
    assert.deepEqual(events.map((e) => [e.event_id, e.tokens_out]), [['llm:claude-code:r3', 4], ['llm:claude-code:r4', 6]]);
  });

  it('skips <synthetic> messages and honours costUSD', () => {
    const events = llm(feed(parser(), [assistant({ msg: 's', req: 'rs', out: 0, model: '<synthetic>' }), assistant({ msg: 'm', req: 'r', out: 3, extra: { costUSD: 0.25 } })]));
    assert.equal(events.length, 1);
    assert.equal(events[0].cost_usd, 0.25);
  });

  it('pairs tool_use with its tool_result (status, duration) and records prompts', () => {
    const events = feed(parser(), [
      { type: 'user', sessionId: SID, uuid: 'p1', promptId: 'pr1', timestamp: '2025-10-01T09:59:00.000Z', message: { role: 'user', content: 'fix the bug' } },
      assistant({ msg: 'm', req: 'r', out: 3, content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }, { type: 'tool_use', id: 'toolu_2', name: 'Read', input: { file_path: '/a' } }] }),
      { type: 'user', sessionId: SID, timestamp: '2025-10-01T10:00:02.500Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }] } },
      { type: 'user', sessionId: SID, timestamp: '2025-10-01T10:00:03.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_2', content: 'nope', is_error: true }] } },
    ]);
    const prompt = events.find((e) => e.event_type === 'user_prompt')!;
    assert.equal(prompt.event_id, `user_prompt:claude-code:${SID}:pr1`);
    assert.equal((prompt.metadata as { prompt: string }).prompt, 'fix the bug');
    const tools = events.filter((e) => e.event_type === 'tool_use');
    assert.deepEqual(
      tools.map((t) => [t.event_id, t.tool_name, t.status, t.duration_ms]),
      [
        ['tool:claude-code:toolu_1', 'Bash', 'success', 2500],
        ['tool:claude-code:toolu_2', 'Read', 'error', 3000],
      ],
    );
  });

  it('completes a tool call whose result arrives in a later pass, carrying its start time in the state', () => {
    const p1 = parser();
    feed(p1, [assistant({ msg: 'm', req: 'r', out: 3, content: [{ type: 'tool_use', id: 'toolu_9', name: 'Grep', input: {} }] })]);
    const p2 = new ClaudeParser({ path: `/x/${SID}.jsonl`, fileSessionId: SID }, JSON.parse(JSON.stringify(p1.state())));
    const [done] = feed(p2, [{ type: 'user', sessionId: SID, timestamp: '2025-10-01T10:00:01.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'x' }] } }]);
    assert.deepEqual([done.event_id, done.tool_name, done.status, done.duration_ms], ['tool:claude-code:toolu_9', 'Grep', 'success', 1000]);
  });

  it("keeps a tool result's text (string or text blocks) as the call's output, its head when long, in the same pass or a later one", () => {
    const long = `${'line of output\n'.repeat(300)}end`;
    const p1 = parser();
    const events = feed(p1, [
      assistant({ msg: 'm', req: 'r', out: 3, content: [{ type: 'tool_use', id: 'toolu_a', name: 'Bash', input: { command: 'ls' } }, { type: 'tool_use', id: 'toolu_b', name: 'Task', input: {} }, { type: 'tool_use', id: 'toolu_c', name: 'Read', input: {} }, { type: 'tool_use', id: 'toolu_d', name: 'Grep', input: {} }] }),
      { type: 'user', sessionId: SID, timestamp: '2025-10-01T10:00:01.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: 'README.md\nsrc\n' }] } },
      { type: 'user', sessionId: SID, timestamp: '2025-10-01T10:00:02.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_b', content: [{ type: 'text', text: 'Done.' }, { type: 'image', source: {} }, { type: 'text', text: 'Two files.' }] }] } },
      { type: 'user', sessionId: SID, timestamp: '2025-10-01T10:00:03.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_c', content: long }] } },
    ]);
    const meta = (id: string) => events.find((e) => e.event_id === `tool:claude-code:${id}`)!.metadata as { output?: string; output_chars?: number; input?: unknown };
    assert.equal(meta('toolu_a').output, 'README.md\nsrc');
    assert.deepEqual(meta('toolu_a').input, { command: 'ls' }, 'the input stays beside it');
    assert.equal(meta('toolu_b').output, 'Done.\nTwo files.');
    assert.equal(meta('toolu_c').output!.length, TOOL_OUTPUT_MAX + 1);
    assert.ok(meta('toolu_c').output!.endsWith('…'));
    assert.equal(meta('toolu_c').output_chars, long.length);
    assert.equal(meta('toolu_d').output, undefined, 'no result yet');
    const p2 = new ClaudeParser({ path: `/x/${SID}.jsonl`, fileSessionId: SID }, JSON.parse(JSON.stringify(p1.state())));
    const [done] = feed(p2, [{ type: 'user', sessionId: SID, timestamp: '2025-10-01T10:00:04.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_d', content: 'src/a.ts:3: match' }] } }]);
    assert.equal(done.event_id, 'tool:claude-code:toolu_d');
    assert.equal((done.metadata as { output: string }).output, 'src/a.ts:3: match');
  });

  it('counts malformed lines as skipped and ignores unknown record types', () => {
    const p = parser();
    const events = feed(p, ['{"type":"assistant","message":{"usage":{"input_tokens":12,', 'garbage', { type: 'brand-new-type', x: 1 }, { type: 'user' }]);
    assert.equal(events.length, 0);
    assert.deepEqual(p.takeSkipped().map((s) => s.line), [1, 2]);
  });

  it('keeps the last open response when not final, releasing it with its largest usage later', () => {
    const p = parser();
    p.line(JSON.stringify(assistant({ msg: 'm', req: 'r', out: 5 })), 1);
    assert.equal(llm(p.drain(false)).length, 0);
    p.line(JSON.stringify(assistant({ msg: 'm', req: 'r', out: 50 })), 2);
    const [e] = llm(p.drain(true));
    assert.equal(e.tokens_out, 50);
  });
});

function envelope(type: string, payload: object, ts = '2025-10-01T10:00:00.000Z') {
  return { timestamp: ts, type, payload };
}
function tokenCount(total: [number, number, number, number] | null, ts?: string, rl?: object) {
  const t = total && { input_tokens: total[0], cached_input_tokens: total[1], output_tokens: total[2], reasoning_output_tokens: total[3], total_tokens: total[0] + total[2] };
  return envelope('event_msg', { type: 'token_count', info: t ? { total_token_usage: t, last_token_usage: t } : null, rate_limits: rl ?? null }, ts);
}

describe('Codex rollout parser', () => {
  const meta = (id = SID, extra = {}) => envelope('session_meta', { id, cwd: '/home/me/cx', git: { branch: 'dev' }, cli_version: '0.50.0', ...extra });
  const turn = (model: string, ts?: string) => envelope('turn_context', { model, cwd: '/home/me/cx' }, ts);

  it('takes the model from turn_context, counts total deltas, skips repeated totals and info:null (traps 3, 4)', () => {
    const events = feed(new CodexParser('/r.jsonl'), [
      meta(),
      turn('gpt-5-codex'),
      tokenCount(null),
      tokenCount([1000, 800, 100, 40]),
      tokenCount([1000, 800, 100, 40]),
      turn('gpt-5'),
      tokenCount([3000, 2000, 300, 50]),
    ]);
    const reqs = llm(events);
    assert.deepEqual(
      reqs.map((e) => [e.event_id, e.model, e.tokens_in, e.cache_read_tokens, e.tokens_out, e.reasoning_tokens]),
      [
        [`llm:codex:${SID}#1`, 'gpt-5-codex', 200, 800, 100, 40],
        [`llm:codex:${SID}#2`, 'gpt-5', 800, 1200, 200, 10],
      ],
    );
    assert.equal(reqs[0].project, '/home/me/cx');
    assert.equal(reqs[0].branch, 'dev');
  });

  it('does not re-count the replayed history of a fork (trap 5)', () => {
    const t0 = '2025-10-02T08:00:00.000Z';
    const events = feed(new CodexParser('/fork.jsonl'), [
      meta('fork-id', { forked_from_id: 'parent-id' }),
      envelope('session_meta', { id: 'parent-id', cwd: '/home/me/cx' }, t0),
      turn('gpt-5-codex', t0),
      envelope('event_msg', { type: 'user_message', message: 'old prompt' }, t0),
      tokenCount([1000, 0, 100, 0], t0),
      tokenCount([5000, 3000, 400, 0], t0),
      envelope('event_msg', { type: 'user_message', message: 'new prompt' }, '2025-10-02T08:00:30.000Z'),
      tokenCount([7000, 4000, 500, 0], '2025-10-02T08:00:40.000Z'),
    ]);
    const reqs = llm(events);
    assert.equal(reqs.length, 1);
    assert.deepEqual([reqs[0].event_id, reqs[0].tokens_in, reqs[0].cache_read_tokens, reqs[0].tokens_out], ['llm:codex:fork-id#1', 1000, 1000, 100]);
    assert.deepEqual(events.filter((e) => e.event_type === 'user_prompt').map((e) => (e.metadata as { prompt: string }).prompt), ['new prompt']);
  });

  it('continues ordinals and totals across passes through its state', () => {
    const p1 = new CodexParser('/r.jsonl');
    feed(p1, [meta(), turn('gpt-5'), tokenCount([100, 0, 10, 0])]);
    const p2 = new CodexParser('/r.jsonl', JSON.parse(JSON.stringify(p1.state())));
    const [e] = llm(feed(p2, [tokenCount([100, 0, 10, 0]), tokenCount([250, 50, 30, 0])]));
    assert.deepEqual([e.event_id, e.tokens_in, e.cache_read_tokens, e.tokens_out], [`llm:codex:${SID}#2`, 100, 50, 20]);
  });

  it('keeps the latest rate limits as a rate_limit event', () => {
    const rl = { primary: { used_percent: 42.5, window_minutes: 300, resets_in_seconds: 60 }, secondary: { used_percent: 7, window_minutes: 10080, resets_at: 1760000000 } };
    const events = feed(new CodexParser('/r.jsonl'), [meta(), tokenCount(null, '2025-10-01T10:00:00.000Z', rl)]);
    const r = events.find((e) => e.event_type === 'rate_limit')!;
    assert.deepEqual((r.metadata as { rate_limits: unknown[] }).rate_limits, [
      { window: 'primary', used_percent: 42.5, window_minutes: 300, resets_at: '2025-10-01T10:01:00.000Z' },
      { window: 'secondary', used_percent: 7, window_minutes: 10080, resets_at: new Date(1760000000 * 1000).toISOString() },
    ]);
  });

  it('turns function calls into tool events with status from the exit code', () => {
    const events = feed(new CodexParser('/r.jsonl'), [
      meta(),
      envelope('response_item', { type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: 'c1' }),
      envelope('response_item', { type: 'function_call_output', call_id: 'c1', output: JSON.stringify({ output: 'x', metadata: { exit_code: 2, duration_seconds: 1.5 } }) }),
    ]);
    const t = events.filter((e) => e.event_type === 'tool_use');
    assert.deepEqual(t.map((e) => [e.event_id, e.tool_name, e.status, e.duration_ms]), [['tool:codex:c1', 'shell', 'error', 1500]]);
    assert.equal((t[0].metadata as { output: string }).output, 'x', 'the output text inside the JSON envelope');
    const unified = feed(new CodexParser('/r.jsonl'), [
      meta(),
      envelope('response_item', { type: 'function_call', name: 'exec_command', arguments: '{}', call_id: 'c2' }),
      envelope('response_item', { type: 'function_call_output', call_id: 'c2', output: 'Chunk ID: 44fd20\nWall time: 0.3240 seconds\nProcess exited with code 1\nOutput:\ncat: x: No such file\n' }),
    ]).filter((e) => e.event_type === 'tool_use');
    assert.deepEqual(unified.map((e) => [e.status, (e.metadata as { output: string }).output]), [['error', 'cat: x: No such file']], 'the unified exec header left out');
    // A long output's head is decoded alone, whatever escape sequence the cut falls in; its whole
    // length is still the decoded length.
    for (let pad = 0; pad < 8; pad++) {
      const whole = `${'a'.repeat(TOOL_OUTPUT_MAX * 2 - 12 + pad)}"\\é\t\u0001😀${'line\n'.repeat(2000)}"x`;
      const [e] = feed(new CodexParser('/r.jsonl'), [
        meta(),
        envelope('response_item', { type: 'function_call', name: 'shell', arguments: '{}', call_id: `c${pad}` }),
        envelope('response_item', { type: 'function_call_output', call_id: `c${pad}`, output: JSON.stringify({ output: whole, metadata: { exit_code: 0 } }) }),
      ]).filter((x) => x.event_type === 'tool_use');
      const m = e.metadata as { output: string; output_chars: number };
      assert.equal(m.output, `${whole.slice(0, TOOL_OUTPUT_MAX)}…`, `pad ${pad}`);
      assert.equal(m.output_chars, whole.length, `pad ${pad}`);
    }
    assert.deepEqual(toolOutcome('Exit code: 0\nWall time: 1s'), { status: 'success' });
    // Codex ≥ 0.16x unified exec output, as in the captured rollout.
    assert.deepEqual(toolOutcome('Chunk ID: 44fd20\nWall time: 0.3240 seconds\nProcess exited with code 1\nOutput:\ncat: x: No such file'), { status: 'error', durationMs: 324 });
    assert.deepEqual(toolOutcome('Chunk ID: 44fd20\nWall time: 0.0000 seconds\nProcess exited with code 0\nOutput:\nExit code: 3 is text'), { status: 'success', durationMs: 0 });
  });
});

describe('Codex rollouts of other shapes (issue 16)', () => {
  const turn = (model: string) => envelope('turn_context', { model, cwd: '/home/me/cx' });

  it('a rollout without session_meta takes its session from the file name, or names its lines as skipped', () => {
    const lines = [turn('gpt-5'), envelope('event_msg', { type: 'user_message', message: 'hi' }), tokenCount([100, 0, 10, 0])];
    const named = new CodexParser(`/s/rollout-2025-10-01T10-00-00-${SID}.jsonl`);
    const events = feed(named, lines);
    assert.deepEqual(llm(events).map((e) => [e.session_id, e.tokens_in, e.tokens_out]), [[SID, 100, 10]]);
    assert.deepEqual(named.takeSkipped(), []);
    const anonymous = new CodexParser('/s/notes.jsonl');
    assert.deepEqual(feed(anonymous, lines), []);
    assert.deepEqual(
      anonymous.takeSkipped().map((x) => x.line),
      [2, 3],
      'every line that needed a session is counted as skipped',
    );
  });

  it('the real Codex 0.169 rollout: prompt, final answer and the tool duration it logged', () => {
    const file = `${FIXTURES_DIR}/captured/codex-json/codex-home/sessions/2026/11/24/rollout-2026-11-24T00-52-46-01a20b0a-7dc8-7c71-883b-a8f904513445.jsonl`;
    const p = new CodexParser(file);
    const events = feed(p, fs.readFileSync(file, 'utf8').split('\n').filter(Boolean));
    assert.deepEqual(p.takeSkipped(), []);
    const of = (type: string) => events.filter((e) => e.event_type === type);
    assert.deepEqual(of('user_prompt').map((e) => (e.metadata as { prompt: string }).prompt), ['list the files']);
    assert.deepEqual(of('response').map((e) => (e.metadata as { text: string }).text), ['The project contains README.md and src/main.py.']);
    const tools = of('tool_use').filter((e) => e.status !== 'running');
    assert.deepEqual(tools.map((e) => [e.tool_name, e.status, e.duration_ms]), [['exec_command', 'success', 2]]);
    const output = (tools[0].metadata as { output: string }).output;
    assert.match(output, /^total 24\n/, 'the command output (item_completed aggregated_output)');
    assert.match(output, /README\.md\n.*src$/s);
  });

  it('a version that writes both event_msg and item_completed messages counts each prompt and answer once', () => {
    const events = feed(new CodexParser('/r.jsonl'), [
      envelope('session_meta', { id: SID, cwd: '/home/me/cx' }),
      turn('gpt-5'),
      envelope('event_msg', { type: 'item_completed', item: { type: 'UserMessage', id: 'u1', content: [{ type: 'Text', text: 'fix it' }] } }),
      envelope('event_msg', { type: 'user_message', message: 'fix it' }),
      envelope('event_msg', { type: 'agent_message', message: 'done' }),
      envelope('event_msg', { type: 'item_completed', item: { type: 'AgentMessage', id: 'a1', content: [{ type: 'Text', text: 'done' }] } }),
    ]);
    assert.deepEqual(
      events.filter((e) => e.event_type === 'user_prompt' || e.event_type === 'response').map((e) => [e.event_type, e.event_id]),
      [
        ['user_prompt', `prompt:codex:${SID}:1`],
        ['response', `response:codex:${SID}:a1`],
      ],
    );
  });
});

describe('line reader', () => {
  it('stops before a torn last line and reports lines past the size limit', async () => {
    const file = path.join(tmpDir(), 'a.jsonl');
    const big = 'x'.repeat(3000);
    fs.writeFileSync(file, `{"a":1}\n{"b":"${big}"}\n{"c":3}\n{"torn":`);
    const seen: [number, string][] = [];
    const tooLong: number[] = [];
    const size = fs.statSync(file).size;
    const r = await readLines(file, 0, size, 0, { line: (t, n) => void seen.push([n, t]), tooLong: (n) => void tooLong.push(n) }, 1000);
    assert.deepEqual(seen, [[1, '{"a":1}'], [3, '{"c":3}']]);
    assert.deepEqual(tooLong, [2]);
    assert.equal(r.end, size - '{"torn":'.length);
  });
});

describe('fast contract check of imported events', () => {
  const fixtures = FIXTURES_DIR;
  const files: [string, 'claude' | 'codex'][] = [
    [`${fixtures}/public/spotter/test/fixtures/transcripts/4d5611e5-241a-462a-8d15-5122611a9569.jsonl`, 'claude'],
    [`${fixtures}/public/sniffly/tests/mock-data/-Users-chip-dev-ai-music/ba79134d-b6e9-4867-af0c-6941038c9e4b.jsonl`, 'claude'],
    [`${fixtures}/captured/claude-json/claude-config/projects/-home-dev-sandbox-proj/5df58c72-10ee-4455-8525-dd0ff3c62090.jsonl`, 'claude'],
    [`${fixtures}/public/localpush/src-tauri/tests/fixtures/codex/2026-02-23/raw/sessions/rollout-2026-02-23T12-40-23-019c8a4c-ed82-79a1-aa28-7738fc5ab61a.jsonl`, 'codex'],
  ];

  it('accepts exactly what validateEvent accepts, unchanged, for every event parsed from the fixtures', () => {
    let n = 0;
    for (const [file, kind] of files) {
      const p = makeParser(kind, file, undefined);
      for (const e of feed(p, fs.readFileSync(file, 'utf8').split('\n').filter(Boolean))) {
        const fast = alreadyValid(e);
        const slow = validateEvent(e);
        assert.ok(fast && slow.ok, `${e.event_id}`);
        assert.deepEqual(JSON.parse(JSON.stringify(fast)), JSON.parse(JSON.stringify(slow.value)));
        n++;
      }
    }
    assert.ok(n > 300);
  });

  it('leaves anything unusual to validateEvent', () => {
    const base: EventInputRaw = { session_id: 's', agent_type: 'codex', event_type: 'llm_request', source: 'import' };
    assert.ok(alreadyValid(base));
    for (const bad of [
      { session_id: ' s' },
      { session_id: 'x'.repeat(257) },
      { client_timestamp: '2025-13-01T00:00:00Z' },
      { client_timestamp: 'yesterday' },
      { tokens_in: -1 },
      { tokens_out: 1.5 },
      { cost_usd: Number.NaN },
      { model: '' },
      { project: 'p'.repeat(513) },
    ] as Partial<EventInputRaw>[]) {
      assert.equal(alreadyValid({ ...base, ...bad }), null, JSON.stringify(bad).slice(0, 60));
    }
    const v = validateImported({ ...base, session_id: ' s ' });
    assert.ok(v.ok && v.value.session_id === 's');
    assert.equal(validateImported({ ...base, tokens_in: -1 }).ok, false);
  });
});

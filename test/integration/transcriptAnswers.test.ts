/**
 * Imported sessions show what the agent said (issue 17): the real Claude Code and Codex captures,
 * imported through a running server, list every assistant reply in
 * `GET /api/sessions/:id/transcript`, once, and still once after the same run's hooks and OTLP
 * logs (which see the same replies) are replayed into it. Claude's thinking is kept, marked; tool
 * calls carry their output.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { SearchPage, TranscriptPage } from '../../src/core/contracts/api';
import { serverWithCaptures } from '../helpers/capturedImport';
import { loadConfig } from '../../src/core/config';
import { CLAUDE_CAPTURE, CODEX_CAPTURE, jsonLines, waitFor } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';
import { openSse } from '../helpers/sse';

const CLAUDE_SESSION = '5df58c72-10ee-4455-8525-dd0ff3c62090';
const CODEX_SESSION = '01a20b0a-7dc8-7c71-883b-a8f904513445';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f));
}

/** Every assistant text block of the Claude transcripts (main and subagent files), from the files themselves. */
function claudeReplies(): string[] {
  const out: string[] = [];
  for (const f of filesUnder(path.join(CLAUDE_CAPTURE, 'claude-config'))) {
    for (const o of jsonLines(f)) {
      const msg = o.message as { content?: unknown } | undefined;
      if (o.type !== 'assistant' || !Array.isArray(msg?.content)) continue;
      for (const b of msg.content as { type: string; text?: string }[]) if (b.type === 'text' && b.text) out.push(b.text);
    }
  }
  return out;
}

/** Every assistant message of the Codex rollout (`response_item` messages of role assistant). */
function codexReplies(): string[] {
  const out: string[] = [];
  for (const f of filesUnder(path.join(CODEX_CAPTURE, 'codex-home'))) {
    for (const o of jsonLines(f)) {
      const p = o.payload as { type?: string; role?: string; content?: { text?: string }[] } | undefined;
      if (o.type === 'response_item' && p?.type === 'message' && p.role === 'assistant') out.push(p.content!.map((c) => c.text).join('\n'));
    }
  }
  return out;
}

async function transcript(s: TestServer, sid: string): Promise<TranscriptPage> {
  const r = await s.get<TranscriptPage>(`/api/sessions/${sid}/transcript?limit=1000`);
  assert.equal(r.status, 200);
  assert.equal(r.body.next_cursor, null);
  return r.body;
}

/** How many entries show each reply as their text. */
function counts(page: TranscriptPage, replies: string[]): Record<string, number> {
  return Object.fromEntries(replies.map((t) => [t, page.entries.filter((e) => e.text === t).length]));
}

const once = (replies: string[]) => Object.fromEntries(replies.map((t) => [t, 1]));

async function importInto(s: TestServer, body: Record<string, string[]>): Promise<void> {
  const sse = await openSse(`${s.url}/api/stream`);
  after(() => sse.close());
  const r = await s.post<{ import_id: string }>('/api/import', body);
  assert.equal(r.status, 202);
  await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000);
}

async function postHook(s: TestServer, agent: string, body: unknown): Promise<void> {
  const r = await fetch(`${s.url}/api/hooks/${agent}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
}

describe('imported transcripts show every assistant reply once', () => {
  it('Claude Code capture: replies (main and subagent) and thinking; hooks and OTLP of the same run add no second copy', async () => {
    const replies = claudeReplies();
    assert.ok(replies.length >= 4, `the capture has replies: ${JSON.stringify(replies)}`);
    const dirs = { claudeDirs: [path.join(CLAUDE_CAPTURE, 'claude-config')], codexDirs: [] };
    const s = await startTestServer(dirs);
    await importInto(s, { claude_dirs: dirs.claudeDirs });
    const imported = await transcript(s, CLAUDE_SESSION);
    assert.deepEqual(counts(imported, replies), once(replies));
    for (const e of imported.entries.filter((x) => replies.includes(x.text!))) {
      assert.equal(e.kind, 'answer');
      assert.equal(e.event_type, 'response');
    }

    // The same run's hooks (MessageDisplay, Stop carry the replies) and OTLP logs (assistant_response).
    for (const line of jsonLines(path.join(CLAUDE_CAPTURE, 'hooks-http.jsonl'))) await postHook(s, 'claude-code', line.body);
    const otlp = path.join(CLAUDE_CAPTURE, 'otlp');
    for (const f of fs.readdirSync(otlp).filter((n) => n.endsWith('-otlp-logs.json'))) {
      const r = await fetch(`${s.url}/api/otel/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: fs.readFileSync(path.join(otlp, f)) });
      assert.equal(r.status, 200);
    }
    const both = await waitFor('the hooks and OTLP events', async () => {
      const page = await transcript(s, CLAUDE_SESSION);
      const types = new Set(page.entries.map((e) => e.event_type));
      return types.has('stop') && types.has('session_end') && page.entries.some((e) => e.event_type === 'response' && e.detail?.message_id) ? page : null;
    });
    assert.deepEqual(counts(both, replies), once(replies));
  });

  it('Claude thinking is stored marked as thinking, beside the reply of the same response', async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'am-thinking-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sid = 'aaaaaaaa-1111-2222-3333-444444444444';
    const file = path.join(dir, 'projects', '-p', `${sid}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const line = (content: unknown) =>
      JSON.stringify({ type: 'assistant', sessionId: sid, requestId: 'req_t1', timestamp: '2026-11-24T00:00:01.000Z', cwd: '/p', message: { id: 'msg_t1', model: 'claude-sonnet-4-5-20250929', content, usage: { input_tokens: 10, output_tokens: 5 } } });
    fs.writeFileSync(file, [line([{ type: 'thinking', thinking: 'Weighing the options first.' }]), line([{ type: 'text', text: 'Here is the answer.' }])].join('\n') + '\n');
    const s = await startTestServer({ claudeDirs: [dir], codexDirs: [] });
    await importInto(s, { claude_dirs: [dir] });
    const page = await transcript(s, sid);
    const answers = page.entries.filter((e) => e.event_type === 'response');
    assert.equal(answers.length, 1);
    assert.equal(answers[0].text, 'Here is the answer.');
    assert.equal(answers[0].detail?.thinking, 'Weighing the options first.');
  });

  it("tool calls carry their output: the captures' commands and file reads, folded under the call", async () => {
    const s = await serverWithCaptures();
    const claude = await transcript(s, CLAUDE_SESSION);
    const tool = (page: TranscriptPage, name: string, input: RegExp) => page.entries.find((e) => e.kind === 'tool' && e.tool_name === name && input.test(e.text ?? ''));
    assert.match(tool(claude, 'Bash', /ls/)?.output ?? '', /^total 24\n.*README\.md/s);
    assert.equal(tool(claude, 'Read', /README\.md/)?.output, '1\t# Probe project\n2\tA tiny project used to capture agent telemetry.\n3');
    const failed = tool(claude, 'Read', /does-not-exist/)!;
    assert.equal(failed.status, 'error');
    assert.match(failed.output ?? '', /^File does not exist\./);
    // The subagent's own call, in its sidechain file.
    assert.equal(claude.entries.find((e) => e.kind === 'tool' && e.output === '64 README.md')?.tool_name, 'Bash');
    const codex = await transcript(s, CODEX_SESSION);
    assert.match(codex.entries.find((e) => e.kind === 'tool' && e.status === 'success')?.output ?? '', /^total 24\n.*src$/s);
    assert.ok(codex.entries.filter((e) => e.kind !== 'tool').every((e) => e.output === null), 'only tool calls have an output');

    // Not indexed for search (see store/searchIndex.ts).
    assert.deepEqual((await s.get<SearchPage>('/api/search?q=telemetry')).body.results, []);
  });

  it('with thinking off (AGENTMONITOR_THINKING=0, serve --no-thinking) the reply is kept without it, and a reply of thinking only shows nothing', async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'am-nothinking-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sid = 'aaaaaaaa-1111-2222-3333-555555555555';
    const file = path.join(dir, 'projects', '-p', `${sid}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const line = (req: string, content: unknown) =>
      JSON.stringify({ type: 'assistant', sessionId: sid, requestId: req, timestamp: '2026-11-24T00:00:01.000Z', cwd: '/p', message: { id: `msg_${req}`, model: 'claude-sonnet-4-5-20250929', content, usage: { input_tokens: 10, output_tokens: 5 } } });
    fs.writeFileSync(file, [line('r1', [{ type: 'thinking', thinking: 'Weighing the options first.' }]), line('r1', [{ type: 'text', text: 'Here is the answer.' }]), line('r2', [{ type: 'thinking', thinking: 'Only thought, nothing said.' }])].join('\n') + '\n');
    const s = await startTestServer({ claudeDirs: [dir], codexDirs: [], storeThinking: false });
    await importInto(s, { claude_dirs: [dir] });
    const page = await transcript(s, sid);
    const answers = page.entries.filter((e) => e.kind === 'answer');
    assert.deepEqual(answers.map((e) => [e.event_type, e.text, e.detail?.thinking]), [['llm_request', null, undefined], ['response', 'Here is the answer.', undefined], ['llm_request', null, undefined]]);
    const events = await s.get<{ events: { metadata: Record<string, unknown> | null }[] }>(`/api/events?session_id=${sid}&limit=100`);
    assert.ok(events.body.events.every((e) => !e.metadata || !('thinking' in e.metadata)), 'no thinking stored');
    assert.equal(loadConfig({ AGENTMONITOR_THINKING: '0' }).storeThinking, false);
    assert.equal(loadConfig({}).storeThinking, true, 'on by default');
  });

  it('Codex capture: every assistant message; its hooks add no second copy', async () => {
    const replies = codexReplies();
    assert.ok(replies.length >= 1);
    const dirs = { codexDirs: [path.join(CODEX_CAPTURE, 'codex-home')], claudeDirs: [] };
    const s = await startTestServer(dirs);
    await importInto(s, { codex_dirs: dirs.codexDirs });
    assert.deepEqual(counts(await transcript(s, CODEX_SESSION), replies), once(replies));
    for (const name of ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Stop', 'SessionEnd']) {
      for (const payload of jsonLines(path.join(CODEX_CAPTURE, `hooks-${name}.jsonl`))) await postHook(s, 'codex', payload);
    }
    const both = await waitFor('the hook events', async () => {
      const page = await transcript(s, CODEX_SESSION);
      return page.entries.some((e) => e.event_type === 'session_end') && page.entries.some((e) => e.event_type === 'stop') ? page : null;
    });
    assert.deepEqual(counts(both, replies), once(replies));
  });
});

/**
 * Import and re-pricing through a running server: `POST /api/import` with progress and summary over
 * SSE, one import at a time, `POST /api/recalc` with overrides, the CLI going through the live
 * owner of the database, and the live log watcher turning appended lines into SSE events.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { ImportSummary } from '../../src/core/contracts/api';
import { startLogWatcher } from '../../src/core/importers/liveWatch';
import { silentLogger } from '../../src/core/log';
import { runCli } from '../helpers/serveProcess';
import { startTestServer } from '../helpers/server';
import { openSse } from '../helpers/sse';
import { FIXTURES, generateLogs, publicClaudeDir, scratchDir } from './importHelpers';

const CAPTURED_SESSION = '5df58c72-10ee-4455-8525-dd0ff3c62090';
const CAPTURED_COST = 0.0682716;

async function sessionCost(url: string, id: string): Promise<number> {
  const r = await fetch(`${url}/api/sessions/${id}`);
  const body = (await r.json()) as { session: { cost_usd: number } };
  return body.session.cost_usd;
}

describe('POST /api/import', () => {
  it('answers 202, reports progress and the summary over SSE, and refuses a concurrent import with 409', async () => {
    const gen = generateLogs('claude', 3, 21);
    const pub = publicClaudeDir();
    const server = await startTestServer({ claudeDirs: [gen.dir, pub] });
    const sse = await openSse(`${server.url}/api/stream`);
    after(() => sse.close());
    const first = await server.post<{ import_id: string }>('/api/import', { claude_dirs: [gen.dir] });
    assert.equal(first.status, 202);
    const second = await server.post<{ error: string }>('/api/import', { claude_dirs: [pub] });
    assert.equal(second.status, 409);
    assert.match(second.body.error, /already running/);
    const done = await sse.waitFor('import_done', (m) => m.summary.import_id === first.body.import_id, 120_000);
    assert.ok(done.summary.events > 0);
    assert.equal(done.summary.cancelled, false);
    assert.ok(sse.messages.some((m) => m.type === 'import_progress' && m.progress.import_id === first.body.import_id));
    const status = await server.get<{ running: string | null; last: ImportSummary }>('/api/import');
    assert.deepEqual([status.body.running, status.body.last.import_id], [null, first.body.import_id]);
    const again = await server.post<{ import_id: string }>('/api/import', { claude_dirs: [gen.dir] });
    assert.equal(again.status, 202);
    const second_done = await sse.waitFor('import_done', (m) => m.summary.import_id === again.body.import_id, 120_000);
    assert.deepEqual([second_done.summary.events, second_done.summary.files_skipped_unchanged], [0, second_done.summary.files]);
  });

  it('rejects a malformed body naming the field', async () => {
    const server = await startTestServer();
    const r = await server.post<{ error: string }>('/api/import', { claude_dirs: 'not-a-list' });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /claude_dirs/);
  });
});

describe('POST /api/recalc', () => {
  it('re-prices computed costs with new overrides and back, and rejects bad overrides', async () => {
    const captured = path.join(FIXTURES, 'captured/claude-json/claude-config');
    const server = await startTestServer({ claudeDirs: [captured] });
    const sse = await openSse(`${server.url}/api/stream`);
    after(() => sse.close());
    const r = await server.post<{ import_id: string }>('/api/import', { claude_dirs: [captured] });
    await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000);
    assert.ok(Math.abs((await sessionCost(server.url, CAPTURED_SESSION)) - CAPTURED_COST) < 1e-9);

    const cheap = await server.post<{ changed: number }>('/api/recalc', {
      price_overrides: { 'claude-sonnet-4-5': { input: 0, output: 0, cache_write_5m: 0, cache_write_1h: 0, cache_read: 1 } },
    });
    assert.equal(cheap.status, 200);
    assert.ok(cheap.body.changed > 0);
    // Only cache reads cost now: 85,872 tokens at $1/M (modelUsage of the captured run).
    assert.ok(Math.abs((await sessionCost(server.url, CAPTURED_SESSION)) - 85_872 / 1e6) < 1e-9);

    const back = await server.post('/api/recalc', { price_overrides: {} });
    assert.equal(back.status, 200);
    assert.ok(Math.abs((await sessionCost(server.url, CAPTURED_SESSION)) - CAPTURED_COST) < 1e-9);

    const bad = await server.post<{ error: string }>('/api/recalc', { price_overrides: { 'gpt-5': { input: -3 } } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /gpt-5\.input/);
    assert.match(bad.body.error, /\(price_overrides\)/, 'names the request field, not the environment variable');
    // A model no table knows, with an output price only: its price is incomplete.
    const partial = await server.post<{ error: string; errors: { field: string }[] }>('/api/recalc', { price_overrides: { 'my-own-model': { output: 1 } } });
    assert.equal(partial.status, 400, JSON.stringify(partial.body));
    assert.match(partial.body.error, /my-own-model/);
    assert.equal(partial.body.errors[0].field, 'price_overrides');
    assert.ok(Math.abs((await sessionCost(server.url, CAPTURED_SESSION)) - CAPTURED_COST) < 1e-9, 'nothing re-priced');
  });
});

describe('agentmonitor import', () => {
  it('goes through the live server that owns the database', async () => {
    const server = await startTestServer();
    const out = await runCli(['import', '--claude-dir', path.join(FIXTURES, 'captured/claude-json/claude-config'), '--db', server.dbPath, '--json']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stderr, /through the running server/);
    const summary = JSON.parse(out.stdout) as ImportSummary;
    assert.ok(summary.events > 0);
    assert.ok(Math.abs((await sessionCost(server.url, CAPTURED_SESSION)) - CAPTURED_COST) < 1e-9);
  });

  it('opens the database itself when no server owns it, and lists skipped lines as file:line', async () => {
    const dir = scratchDir();
    const file = path.join(dir, 'claude', 'projects', '-p', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"type":"user","message":{"role":"user","content":"hi"},"sessionId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}\nnot json at all\n');
    const db = path.join(dir, 'a.db');
    const out = await runCli(['import', '--claude-dir', path.join(dir, 'claude'), '--db', db]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /Imported 1 events from 1 files/);
    assert.ok(out.stdout.includes(`${file}:2: malformed line`), out.stdout);
    const bad = await runCli(['import', '--bogus']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--bogus/);
  });
});

describe('agentmonitor import that finds nothing', () => {
  it('names the folders it looked in (a missing one said so) and how to name others', async () => {
    const home = scratchDir();
    const codex = path.join(home, 'codex-home');
    fs.mkdirSync(path.join(codex, 'sessions'), { recursive: true });
    const env = { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, 'no-claude'), CODEX_HOME: codex, XDG_DATA_HOME: path.join(home, '.local', 'share'), AGENTMONITOR_VSCODE_USER_DIR: path.join(home, 'vscode-user') };
    const out = await runCli(['import', '--db', path.join(home, 'a.db')], env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /^Imported 0 events from 0 files/);
    assert.ok(
      out.stdout.includes(
        `No transcripts found. Looked in:\n  Claude Code (projects/ below each):\n    ${env.CLAUDE_CONFIG_DIR} (no such folder)\n` +
          `  Codex (sessions/ and archived_sessions/ below each):\n    ${codex}\n` +
          `  Gemini CLI (tmp/<project>/chats/ below each):\n    ${path.join(home, '.gemini')} (no such folder)\n` +
          `  Copilot CLI (session-state/ below each):\n    ${path.join(home, '.copilot')} (no such folder)\n` +
          `  OpenCode (opencode.db in each):\n    ${path.join(home, '.local', 'share', 'opencode')} (no such folder)\n` +
          `  Copilot Chat (workspaceStorage/*/chatSessions/ below each):\n    ${path.join(home, 'vscode-user')} (no such folder)\n` +
          'Name other folders with --claude-dir DIR, --codex-dir DIR, --gemini-dir DIR, --copilot-dir DIR, --opencode-dir DIR and --copilot-chat-dir DIR (or set CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME, COPILOT_HOME, XDG_DATA_HOME, AGENTMONITOR_VSCODE_USER_DIR).\n',
      ),
      out.stdout,
    );
    const filtered = await runCli(['import', '--codex-dir', codex, '--cwd', '/nowhere', '--db', path.join(home, 'a.db')], env);
    assert.match(filtered.stdout, /No transcripts of sessions inside \/nowhere \(--cwd\) found\. Looked in:\n {2}Codex/);
    assert.doesNotMatch(filtered.stdout, /Claude Code/);
  });
});

describe('live log watcher', () => {
  it('turns lines appended to a transcript into SSE events', async () => {
    const server = await startTestServer();
    const root = scratchDir();
    const file = path.join(root, 'projects', '-home-me-live', 'bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee.jsonl');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    const watcher = startLogWatcher({ store: server.core.store, ingest: server.core.ingest }, { claudeDirs: [root], codexDirs: [], log: silentLogger });
    after(() => watcher.close());
    await watcher.ready;
    const sse = await openSse(`${server.url}/api/stream`);
    after(() => sse.close());
    const line = {
      type: 'assistant',
      sessionId: 'bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee',
      cwd: '/home/me/live',
      timestamp: new Date().toISOString(),
      requestId: 'req_live_1',
      message: { id: 'msg_live_1', model: 'claude-haiku-4-5', content: [{ type: 'tool_use', id: 'toolu_live', name: 'Bash', input: { command: 'ls' } }], usage: { input_tokens: 5, output_tokens: 7 } },
    };
    fs.appendFileSync(file, JSON.stringify(line) + '\n');
    const tool = await sse.waitFor('event', (m) => m.event.event_id === 'tool:claude-code:toolu_live', 30_000);
    assert.equal(tool.event.status, 'running');
    const llm = await sse.waitFor('event', (m) => m.event.event_id === 'llm:claude-code:req_live_1', 30_000);
    assert.deepEqual([llm.event.tokens_in, llm.event.tokens_out, llm.event.project], [5, 7, '/home/me/live']);
    fs.appendFileSync(file, JSON.stringify({ type: 'user', sessionId: line.sessionId, timestamp: new Date().toISOString(), message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_live', content: 'x', is_error: true }] } }) + '\n');
    await sse.waitFor('session_update', (m) => m.session.session_id === line.sessionId && m.session.last_tool_status === 'error', 30_000);
  });
});

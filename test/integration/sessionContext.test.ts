/**
 * Issue 18, context per session: `context_tokens` (the prompt of the main agent's latest model
 * request: input + cache tokens) and `context_window` (the model's) on GET /api/sessions/:id, from
 * the real captured transcripts imported through a real server, and kept to the main agent's latest
 * request whatever order the channels deliver in.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Session, SessionDetail } from '../../src/core/contracts/api';
import { CLAUDE_CAPTURE, CODEX_CAPTURE } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';
import { openSse } from '../helpers/sse';

type Json = Record<string, unknown>;

const lines = (file: string): Json[] => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Json);

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

async function importInto(s: TestServer, body: Record<string, string[]>): Promise<void> {
  const sse = await openSse(`${s.url}/api/stream`);
  after(() => sse.close());
  const r = await s.post<{ import_id: string }>('/api/import', body);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000);
}

async function session(s: TestServer, id: string): Promise<Session> {
  const r = await s.get<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.session;
}

test('Claude Code: the context is the main agent\'s last request (not its subagent\'s), of a 200k window', async () => {
  const config = path.join(CLAUDE_CAPTURE, 'claude-config');
  const main = filesUnder(config).find((f) => f.endsWith('.jsonl') && !f.includes('subagents'))!;
  const sid = path.basename(main, '.jsonl');
  // What the transcript says the last main-agent request sent.
  const last = lines(main).filter((l) => l.type === 'assistant' && !l.isSidechain).at(-1)!;
  const usage = (last.message as Json).usage as Record<string, number>;
  const prompt = usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;

  const s = await startTestServer({ claudeDirs: [config], codexDirs: [] });
  await importInto(s, { claude_dirs: [config] });
  const imported = await session(s, sid);
  assert.equal(imported.context_tokens, prompt);
  assert.equal(imported.context_window, 200_000);

  // A later request of a subagent has its own context; an older main request changes nothing; a newer one does.
  const at = (ms: number) => new Date(Date.parse(String(last.timestamp)) + ms).toISOString();
  const post = async (body: Json) => assert.equal((await s.post('/api/events', { session_id: sid, agent_type: 'claude-code', event_type: 'llm_request', model: 'claude-sonnet-4-5-20250929', ...body })).status, 201);
  await post({ tokens_in: 10, cache_read_tokens: 90_000, client_timestamp: at(1000), metadata: { agent_id: 'a5c44ff8e915123f7' } });
  await post({ tokens_in: 10, cache_read_tokens: 5, client_timestamp: at(-60_000) });
  assert.equal((await session(s, sid)).context_tokens, prompt);
  await post({ tokens_in: 120, cache_read_tokens: 30_000, cache_write_tokens: 880, client_timestamp: at(2000) });
  assert.equal((await session(s, sid)).context_tokens, 31_000);
});

test('Codex: the context is the last response\'s input (cached included), of the window its token_count reports (258,400 of the model\'s 272k)', async () => {
  const home = path.join(CODEX_CAPTURE, 'codex-home');
  const rollout = filesUnder(home).find((f) => /rollout-.*\.jsonl$/.test(f))!;
  const counts = lines(rollout).filter((l) => l.type === 'event_msg' && (l.payload as Json).type === 'token_count' && (l.payload as Json).info);
  const lastUsage = ((counts.at(-1)!.payload as Json).info as Json).last_token_usage as Record<string, number>;
  const sid = String((lines(rollout).find((l) => l.type === 'session_meta')!.payload as Json).id);

  const s = await startTestServer({ claudeDirs: [], codexDirs: [path.join(home, 'sessions')] });
  await importInto(s, { codex_dirs: [path.join(home, 'sessions')] });
  const imported = await session(s, sid);
  assert.equal(imported.context_tokens, lastUsage.input_tokens);
  assert.equal(imported.context_window, ((counts.at(-1)!.payload as Json).info as Json).model_context_window);
  assert.equal(imported.context_window, 258_400);
});

test('Codex: the reported window arrives with the rollout also when OTLP stored its responses first', async () => {
  const home = path.join(CODEX_CAPTURE, 'codex-home');
  const rollout = filesUnder(home).find((f) => /rollout-.*\.jsonl$/.test(f))!;
  const sid = String((lines(rollout).find((l) => l.type === 'session_meta')!.payload as Json).id);
  const s = await startTestServer({ claudeDirs: [], codexDirs: [path.join(home, 'sessions')] });
  const otlp = path.join(CODEX_CAPTURE, 'otlp');
  for (const f of fs.readdirSync(otlp).filter((n) => n.endsWith('-otlp-logs.json')).sort()) {
    assert.equal((await s.post('/api/otel/v1/logs', JSON.parse(fs.readFileSync(path.join(otlp, f), 'utf8')))).status, 200);
  }
  const fromOtlp = await session(s, sid);
  assert.ok(fromOtlp.context_tokens, 'OTLP stored the responses');
  assert.equal(fromOtlp.context_window, 272_000, "the model's, before the rollout");
  await importInto(s, { codex_dirs: [path.join(home, 'sessions')] });
  assert.equal((await session(s, sid)).context_window, 258_400);
});

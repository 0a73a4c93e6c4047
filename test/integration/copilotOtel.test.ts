/**
 * Copilot CLI's OTLP traces and its session log on a real server. `test/fixtures/copilot-cli/otlp-run`
 * holds both from one run of the real CLI 1.0.102 (OTEL_EXPORTER_OTLP_ENDPOINT at a capture server;
 * a `bash` call, two API calls): the export exactly as it posted it to `/v1/traces` and the
 * session's events.jsonl. Each call counts once whichever channel comes first and however often the
 * export is re-sent; the `invoke_agent` span's totals are never added on top; the tool call is one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EventsPage } from '../../src/core/contracts/api';
import { runImport } from '../../src/core/importers/importRunner';
import { startTestServer, type TestServer } from '../helpers/server';

const RUN = path.join(__dirname, '..', 'fixtures', 'copilot-cli', 'otlp-run');
const SID = '3a0d1f8c-9717-4e3a-8a4d-d45499013128';
const EXPORT = fs.readFileSync(path.join(RUN, 'traces.json'), 'utf8');

async function postTraces(s: TestServer, body = EXPORT): Promise<{ partialSuccess?: { rejectedSpans?: string; errorMessage?: string } }> {
  const r = await fetch(`${s.url}/api/otel/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
}

const importLog = (s: TestServer) => runImport({ store: s.core.store, ingest: s.core.ingest }, { importId: 'copilot-otel', claudeDirs: [], codexDirs: [], copilotDirs: [RUN] });

async function events(s: TestServer, type: string) {
  return ((await s.get(`/api/events?session_id=${SID}&event_type=${type}&limit=100`)).body as EventsPage).events;
}

// The spans' usage: input 4412 and 4415 (cache read 4004/4005, written 304/305 inside), output 24 and 25.
const EXPECTED = [
  [`llm:copilot-cli:${SID}#msg_4`, 'claude-sonnet-4.6', 104, 4004, 304, 24],
  [`llm:copilot-cli:${SID}#msg_5`, 'claude-sonnet-4.6', 105, 4005, 305, 25],
];

async function requests(s: TestServer) {
  return (await events(s, 'llm_request')).map((e) => [e.event_id, e.model, e.tokens_in, e.cache_read_tokens, e.cache_write_tokens, e.tokens_out]).sort();
}

test('OTLP first, then the session log, the export re-sent: two calls and one tool call, each once', async () => {
  const s = await startTestServer();
  await postTraces(s);
  assert.deepEqual(await requests(s), EXPECTED, 'the chat spans, not the invoke_agent span');
  const tools = await events(s, 'tool_use');
  assert.deepEqual(tools.map((e) => [e.event_id, e.tool_name, e.status, e.source]), [['tool:copilot-cli:toolu_4', 'bash', 'success', 'otel']]);
  const summary = await importLog(s);
  assert.ok(summary.duplicates >= 2, `the import recognised the two calls OTLP stored: ${JSON.stringify(summary)}`);
  await postTraces(s);
  assert.deepEqual(await requests(s), EXPECTED);
  assert.equal((await events(s, 'tool_use')).length, 1);
  const session = (await s.get(`/api/sessions/${SID}`)).body as { session: { agent_type: string; project: string; tokens_in: number; cache_write_tokens: number } };
  assert.equal(session.session.agent_type, 'copilot-cli');
  assert.equal(session.session.project, '/home/dev/proj', 'the session log names the project');
  assert.deepEqual([session.session.tokens_in, session.session.cache_write_tokens], [209, 609]);
});

test('the session log first, then OTLP: nothing more', async () => {
  const s = await startTestServer();
  await importLog(s);
  assert.deepEqual(await requests(s), EXPECTED);
  await postTraces(s);
  assert.deepEqual(await requests(s), EXPECTED);
  assert.equal((await events(s, 'tool_use')).length, 1);
});

test('a chat span without its conversation id is refused, naming the attribute', async () => {
  const s = await startTestServer();
  const body = JSON.parse(EXPORT) as { resourceSpans: { scopeSpans: { spans: { name: string; attributes: { key: string }[] }[] }[] }[] };
  const chat = body.resourceSpans[0].scopeSpans[0].spans.find((sp) => sp.name.startsWith('chat '))!;
  chat.attributes = chat.attributes.filter((a) => a.key !== 'gen_ai.conversation.id');
  const res = await postTraces(s, JSON.stringify(body));
  assert.equal(Number(res.partialSuccess?.rejectedSpans), 1);
  assert.match(res.partialSuccess?.errorMessage ?? '', /gen_ai\.conversation\.id is missing/);
});

/**
 * Gemini CLI's OTLP logs (`gemini_cli.api_response`, OTLP/HTTP JSON as its exporter posts them to
 * `<otlpEndpoint>/v1/logs`; attributes as the real CLI 0.61.0 sends them) and its chat log
 * (test/fixtures/gemini-cli) on a real server: each API call counts once, whichever channel comes
 * first and however often an export is re-sent, and a call the chat log never shows (the model
 * router's classifier) counts from OTLP alone.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EventsPage } from '../../src/core/contracts/api';
import { runImport } from '../../src/core/importers/importRunner';
import { startTestServer, type TestServer } from '../helpers/server';

const CHATS = path.join(__dirname, '..', 'fixtures', 'gemini-cli', 'gemini-home');
const SID = '9f58b443-7941-4f93-8707-b6f6173d8cdc';

type Attr = { key: string; value: { stringValue?: string; intValue?: number; boolValue?: boolean } };
const attr = (key: string, v: string | number | boolean): Attr => ({
  key,
  value: typeof v === 'string' ? { stringValue: v } : typeof v === 'number' ? { intValue: v } : { boolValue: v },
});

/** One `gemini_cli.api_response` record as the CLI sends it. */
function apiResponse(o: { model: string; input: number; output: number; cached: number; thoughts: number; role: string; at: string }) {
  const attributes = [
    attr('session.id', SID),
    attr('installation.id', 'ea962fe5-97ab-4a87-9ff2-b04744b3f46c'),
    attr('interactive', false),
    attr('auth_type', 'gemini-api-key'),
    attr('event.name', 'gemini_cli.api_response'),
    attr('event.timestamp', o.at),
    attr('model', o.model),
    attr('duration_ms', 70),
    attr('input_token_count', o.input),
    attr('output_token_count', o.output),
    attr('cached_content_token_count', o.cached),
    attr('thoughts_token_count', o.thoughts),
    attr('tool_token_count', 0),
    attr('total_token_count', o.input + o.output + o.thoughts),
    attr('prompt_id', SID),
    attr('status_code', 200),
    attr('role', o.role),
    attr('http.status_code', 200),
  ];
  return { timeUnixNano: String(Date.parse(o.at) * 1e6), observedTimeUnixNano: String(Date.parse(o.at) * 1e6), body: { stringValue: `API response from ${o.model}. Status: 200. Duration: 70ms.` }, attributes };
}

const EXPORT = JSON.stringify({
  resourceLogs: [
    {
      resource: { attributes: [attr('service.name', 'gemini-cli'), attr('service.version', 'v20.20.2'), attr('session.id', SID)] },
      scopeLogs: [
        {
          scope: { name: 'gemini-cli', version: 'v0.61.0' },
          logRecords: [
            // The router's classifier: billed, never in the chat log.
            apiResponse({ model: 'gemini-2.5-flash-lite', input: 812, output: 24, cached: 0, thoughts: 0, role: 'utility_router', at: '2026-12-07T16:56:32.500Z' }),
            // The chat log's two calls, with its exact usage.
            apiResponse({ model: 'gemini-3.1-pro-preview', input: 1006, output: 26, cached: 300, thoughts: 7, role: 'main', at: '2026-12-07T16:56:32.690Z' }),
            apiResponse({ model: 'gemini-3.1-pro-preview', input: 1007, output: 27, cached: 300, thoughts: 7, role: 'main', at: '2026-12-07T16:56:32.730Z' }),
          ],
        },
      ],
    },
  ],
});

async function postExport(s: TestServer): Promise<void> {
  const r = await fetch(`${s.url}/api/otel/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: EXPORT });
  assert.equal(r.status, 200, await r.text());
}

const importChats = (s: TestServer) => runImport({ store: s.core.store, ingest: s.core.ingest }, { importId: 'gemini-otel', claudeDirs: [], codexDirs: [], geminiDirs: [CHATS] });

async function requests(s: TestServer) {
  const page = (await s.get(`/api/events?session_id=${SID}&event_type=llm_request&limit=100`)).body as EventsPage;
  return page.events.map((e) => [e.model, e.tokens_in, e.cache_read_tokens, e.tokens_out, e.reasoning_tokens]).sort();
}

const EXPECTED = [
  ['gemini-2.5-flash-lite', 812, 0, 24, 0],
  ['gemini-3.1-pro-preview', 706, 300, 33, 7],
  ['gemini-3.1-pro-preview', 707, 300, 34, 7],
];

test('OTLP first, then the chat log, the export re-sent: three calls, each once', async () => {
  const s = await startTestServer();
  await postExport(s);
  assert.deepEqual(await requests(s), EXPECTED);
  const summary = await importChats(s);
  assert.ok(summary.duplicates >= 2, `the import recognised the two calls OTLP stored: ${JSON.stringify(summary)}`);
  await postExport(s);
  assert.deepEqual(await requests(s), EXPECTED);
  const session = (await s.get(`/api/sessions/${SID}`)).body as { session: { agent_type: string; project: string; tokens_in: number } };
  assert.equal(session.session.agent_type, 'gemini-cli');
  assert.equal(session.session.project, '/home/dev/proj', 'the chat log names the project');
  assert.equal(session.session.tokens_in, 812 + 706 + 707);
});

test('the chat log first, then OTLP: OTLP adds only the call the chat log does not show', async () => {
  const s = await startTestServer();
  await importChats(s);
  assert.deepEqual(await requests(s), EXPECTED.slice(1));
  await postExport(s);
  assert.deepEqual(await requests(s), EXPECTED);
});

test('a gemini_cli.api_response without session.id is refused, naming the attribute; other Gemini records are ignored', async () => {
  const s = await startTestServer();
  const rec = apiResponse({ model: 'gemini-2.5-pro', input: 10, output: 1, cached: 0, thoughts: 0, role: 'main', at: '2026-12-07T16:56:32.500Z' });
  rec.attributes = rec.attributes.filter((a) => a.key !== 'session.id');
  const other = { ...apiResponse({ model: 'gemini-2.5-pro', input: 10, output: 1, cached: 0, thoughts: 0, role: 'main', at: '2026-12-07T16:56:32.600Z' }) };
  other.attributes = other.attributes.map((a) => (a.key === 'event.name' ? attr('event.name', 'gemini_cli.tool_call') : a));
  const body = JSON.stringify({ resourceLogs: [{ resource: { attributes: [attr('service.name', 'gemini-cli')] }, scopeLogs: [{ logRecords: [rec, other] }] }] });
  const r = await fetch(`${s.url}/api/otel/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  assert.equal(r.status, 200);
  const answer = (await r.json()) as { partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string } };
  assert.equal(Number(answer.partialSuccess?.rejectedLogRecords), 1);
  assert.match(answer.partialSuccess?.errorMessage ?? '', /gemini_cli\.api_response: attribute session\.id is missing/);
  const page = (await s.get('/api/events?event_type=llm_request&limit=10')).body as EventsPage;
  assert.equal(page.events.length, 0);
});

/**
 * OTLP 1.x wire features (vendored opentelemetry-proto v1.11.0): `LogRecord.event_name` and the
 * protobuf `partial_success` answer. Request bodies are encoded by protobufjs straight from the
 * vendored `.proto` files (not our generated descriptor), and one set is what the official
 * OpenTelemetry JS SDK 3.x exporters sent (test/fixtures/otel-sdk3, see its README.md).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Root, type Type } from 'protobufjs';
import type { EventsPage } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import { llmRequestEventId, toolEventId } from '../../src/core/contracts/eventIds';
import { startTestServer, type TestServer } from '../helpers/server';

const PROTO_DIR = path.resolve(__dirname, '../../src/core/otel/proto');
const SDK3 = path.resolve(__dirname, '../fixtures/otel-sdk3');

/** protobufjs types loaded from the vendored `.proto` files themselves. */
function protoTypes(): { logsRequest: Type; logsResponse: Type } {
  const root = new Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
  root.loadSync(['opentelemetry/proto/collector/logs/v1/logs_service.proto'], { keepCase: false });
  return {
    logsRequest: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    logsResponse: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse'),
  };
}

async function postPb(s: TestServer, url: string, body: Uint8Array) {
  const r = await fetch(s.url + url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(body) });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: new Uint8Array(await r.arrayBuffer()) };
}

async function events(s: TestServer, sessionId: string): Promise<StoredEvent[]> {
  const r = await s.get<EventsPage>(`/api/events?session_id=${encodeURIComponent(sessionId)}&limit=1000`);
  assert.equal(r.status, 200);
  return [...r.body.events].sort((a, b) => a.id - b.id);
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: v } });

/** An ExportLogsServiceRequest of Claude Code's scope, encoded by protobufjs from the vendored `.proto`. */
function encodeLogs(records: Record<string, unknown>[]): Uint8Array {
  const { logsRequest: req } = protoTypes();
  const request = {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'claude-code')] },
        scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events' }, logRecords: records }],
      },
    ],
  };
  return req.encode(req.fromObject(request)).finish();
}

test('protobuf records named only by event_name (current SDKs) are mapped: Claude api_request becomes llm_request', async () => {
  const { logsResponse: res } = protoTypes();
  const body = encodeLogs([
    {
      timeUnixNano: '1795482001500000000',
      eventName: 'claude_code.api_request',
      attributes: [
        str('session.id', 'evname-session'),
        str('prompt.id', 'p1'),
        str('model', 'claude-sonnet-4-5-20250929'),
        int('input_tokens', 185),
        int('output_tokens', 59),
        { key: 'cost_usd', value: { doubleValue: 0.0114336 } },
        str('request_id', 'req_evname_1'),
      ],
    },
  ]);
  const s = await startTestServer();
  const r = await postPb(s, '/api/otel/v1/logs', body);
  assert.equal(r.status, 200);
  assert.match(r.type, /application\/x-protobuf/);
  assert.deepEqual(res.toObject(res.decode(r.body)), {}, 'nothing rejected: an empty ExportLogsServiceResponse');
  const evs = await events(s, 'evname-session');
  assert.equal(evs.length, 1, 'the record is stored, not dropped');
  assert.equal(evs[0].event_type, 'llm_request');
  assert.equal(evs[0].event_id, llmRequestEventId('claude-code', 'req_evname_1'));
  assert.equal(evs[0].tokens_in, 185);
  assert.equal(evs[0].tokens_out, 59);
  assert.equal(evs[0].created_at, '2026-11-24T01:00:01.500Z');
  await s.close();
});

test('protobuf answers carry partial_success (rejected count and message) like JSON ones', async () => {
  const { logsResponse: res } = protoTypes();
  const body = encodeLogs([
    { timeUnixNano: '1795482000000000000', eventName: 'claude_code.user_prompt', attributes: [str('prompt.id', 'p1')] },
    {
      timeUnixNano: '1795482000001000000',
      eventName: 'claude_code.user_prompt',
      attributes: [str('session.id', 'pb-partial'), str('prompt.id', 'p2'), str('prompt', 'hello')],
    },
  ]);
  const s = await startTestServer();
  const r = await postPb(s, '/api/otel/v1/logs', body);
  assert.equal(r.status, 200);
  const answer = res.toObject(res.decode(r.body), { longs: String }) as { partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string } };
  assert.equal(answer.partialSuccess?.rejectedLogRecords, '1');
  assert.match(answer.partialSuccess?.errorMessage ?? '', /log record 0: .*session\.id/);
  const evs = await events(s, 'pb-partial');
  assert.equal(evs.length, 1);
  assert.equal(evs[0].metadata?.prompt, 'hello');
  await s.close();
});

test('what the official OpenTelemetry JS SDK 3.x exporter sends (eventName, no event.name attribute, no body) is stored', async () => {
  const meta = JSON.parse(fs.readFileSync(path.join(SDK3, 'sdk3-otlp-logs.meta.json'), 'utf8'));
  assert.match(meta.headers['user-agent'], /OTel-OTLP-Exporter-JavaScript\/0\.301/);
  const s = await startTestServer();
  const r = await postPb(s, '/api/otel/v1/logs', fs.readFileSync(path.join(SDK3, 'sdk3-otlp-logs.pb')));
  assert.equal(r.status, 200);
  const { logsResponse: res } = protoTypes();
  assert.deepEqual(res.toObject(res.decode(r.body)), {});
  const evs = await events(s, 'sdk3-session-0001');
  assert.deepEqual(
    evs.map((e) => e.event_type),
    ['user_prompt', 'llm_request', 'tool_use'],
  );
  const llm = evs[1];
  assert.equal(llm.event_id, llmRequestEventId('claude-code', 'req_sdk3_0001'));
  assert.equal(llm.model, 'claude-sonnet-4-5-20250929');
  assert.equal(llm.tokens_in, 185);
  assert.equal(llm.cache_read_tokens, 14312);
  assert.equal(llm.cache_write_tokens, 1520);
  assert.ok(Math.abs((llm.cost_usd ?? NaN) - 0.0114336) < 1e-12);
  assert.equal(evs[2].event_id, toolEventId('claude-code', 'toolu_sdk3_1'));
  assert.equal(evs[2].status, 'success');
  await s.close();
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { validateEvent, type EventInputRaw } from '../../src/core/contracts/events';
import { llmRequestEventId, toolEventId } from '../../src/core/contracts/eventIds';
import { mapClaudeLogRecord } from '../../src/core/otel/claudeCode';
import { CodexBatchState, mapCodexLogRecord } from '../../src/core/otel/codex';
import { codexOtelConfig, claudeCodeTelemetryEnv, claudeCodeTelemetryShell, otelEndpoint } from '../../src/core/otel/codexConfigSnippet';
import type { MapOutcome, MappedEvent } from '../../src/core/otel/mappedEvent';
import { counterRowsOf } from '../../src/core/otel/otelCounters';
import { logRecordsOf, metricPointsOf, type Attributes, type OtlpLogRecord } from '../../src/core/otel/otlpRecords';
import { FIXTURES_DIR } from '../helpers/sharedDir';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURES = FIXTURES_DIR;
const CAPTURED = path.join(FIXTURES, 'captured');

function record(attributes: Attributes, over: Partial<OtlpLogRecord> = {}): OtlpLogRecord {
  return {
    index: 0,
    resource: { 'service.name': 'claude-code' },
    scope: '',
    attributes,
    body: null,
    eventName: '',
    timeUnixNano: '1795481632027000000',
    observedTimeUnixNano: null,
    ...over,
  };
}

function event(out: MapOutcome): EventInputRaw & { codex?: MappedEvent['codexOrdinal'] } {
  assert.equal(out.kind, 'event', JSON.stringify(out));
  if (out.kind !== 'event') throw new Error('unreachable');
  const v = validateEvent(out.event.raw);
  assert.ok(v.ok, JSON.stringify(v));
  return { ...out.event.raw, codex: out.event.codexOrdinal };
}

test('Claude api_request → llm_request with the contract token fields, agent cost and the transcript-shared id', () => {
  const e = event(
    mapClaudeLogRecord(
      record({
        'event.name': 'api_request',
        'session.id': 's1',
        'prompt.id': 'p1',
        'event.sequence': 116,
        model: 'claude-sonnet-4-5-20250929',
        input_tokens: 231,
        output_tokens: 48,
        cache_read_tokens: 14312,
        cache_creation_tokens: 1520,
        cost_usd: 0.0114066,
        duration_ms: 115,
        request_id: 'req_1',
      }),
    ),
  );
  assert.equal(e.event_type, 'llm_request');
  assert.equal(e.event_id, llmRequestEventId('claude-code', 'req_1'));
  assert.deepEqual(
    [e.tokens_in, e.tokens_out, e.cache_read_tokens, e.cache_write_tokens, e.cost_usd, e.duration_ms],
    [231, 48, 14312, 1520, 0.0114066, 115],
  );
  assert.equal(e.client_timestamp, '2026-11-24T00:53:52.027Z');
  assert.equal(e.source, 'otel');
});

test('Claude tool_decision runs the call, tool_result completes it; "false" is a failure; no session → rejected', () => {
  const dec = event(mapClaudeLogRecord(record({ 'event.name': 'tool_decision', 'session.id': 's1', tool_name: 'Bash', tool_use_id: 'toolu_1', decision: 'accept' })));
  assert.equal(dec.status, 'running');
  assert.equal(dec.event_id, toolEventId('claude-code', 'toolu_1'));
  const res = event(
    mapClaudeLogRecord(
      record({ 'event.name': 'tool_result', 'session.id': 's1', tool_name: 'Read', tool_use_id: 'toolu_1', success: 'false', duration_ms: '12', error: 'File does not exist.' }),
    ),
  );
  assert.deepEqual([res.status, res.duration_ms, res.event_id], ['error', 12, toolEventId('claude-code', 'toolu_1')]);
  assert.equal((res.metadata as Record<string, unknown>).error, 'File does not exist.');
  const rejected = mapClaudeLogRecord(record({ 'event.name': 'tool_result', tool_name: 'Read' }));
  assert.equal(rejected.kind, 'rejected');
  assert.equal(mapClaudeLogRecord(record({ 'event.name': 'hook_registered', 'session.id': 's1' })).kind, 'ignored');
});

test('every captured Claude record maps to a valid event or is deliberately ignored', () => {
  for (const run of ['claude-json']) {
    const dir = path.join(CAPTURED, run, 'otlp');
    for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('-logs.json'))) {
      for (const rec of logRecordsOf(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))) {
        const out = mapClaudeLogRecord(rec);
        assert.notEqual(out.kind, 'rejected', `${f} #${rec.index}: ${JSON.stringify(out)}`);
        if (out.kind === 'event') assert.ok(validateEvent(out.event.raw).ok);
      }
    }
  }
});

test('Codex: the count-less response.completed is skipped; usage gets input − cached, reasoning kept apart, api duration folded in', () => {
  const recs = logRecordsOf(JSON.parse(fs.readFileSync(path.join(CAPTURED, 'codex-json/otlp/codex-json-0005-otlp-logs.json'), 'utf8')));
  const state = new CodexBatchState();
  const events = recs.map((r) => mapCodexLogRecord(r, state)).filter((o) => o.kind === 'event').map(event);
  const usage = events.filter((e) => e.event_type === 'llm_request');
  assert.equal(usage.length, 2);
  assert.deepEqual(
    usage.map((e) => [e.tokens_in, e.cache_read_tokens, e.tokens_out, e.reasoning_tokens]),
    [
      [2516 - 1536, 1536, 57, 21],
      [2538 - 1536, 1536, 57, 21],
    ],
  );
  assert.ok(usage.every((e) => e.event_id === undefined && e.codex?.conversationId === '01a20b0a-7dc8-7c71-883b-a8f904513445'));
  assert.notEqual(usage[0].codex?.recordKey, usage[1].codex?.recordKey);
  assert.ok(usage.every((e) => typeof e.duration_ms === 'number'), 'the preceding codex.api_request duration');
  assert.ok(usage.every((e) => e.client_timestamp?.startsWith('2026-11-24T00:52:47')));
  const tools = events.filter((e) => e.event_type === 'tool_use');
  assert.deepEqual(
    tools.map((e) => [e.status, e.duration_ms, e.event_id]),
    [
      ['running', undefined, toolEventId('codex', 'call_fakemwtzd7vu0003')],
      ['success', 162, toolEventId('codex', 'call_fakemwtzd7vu0003')],
    ],
    'the decision starts the call, the result completes the same event',
  );
});

test('Codex: a failed HTTP attempt is an error event; a denied tool is a failed tool call', () => {
  const base = { 'conversation.id': 'c1', model: 'gpt-5-codex' };
  const codex = (a: Attributes) => record({ ...base, ...a }, { resource: { 'service.name': 'codex_exec' } });
  const state = new CodexBatchState();
  const err = event(mapCodexLogRecord(codex({ 'event.name': 'codex.api_request', 'http.response.status_code': '429', duration_ms: '30' }), state));
  assert.deepEqual([err.event_type, err.status], ['error', 'error']);
  const denied = event(mapCodexLogRecord(codex({ 'event.name': 'codex.tool_decision', call_id: 'call_1', tool_name: 'shell', decision: 'denied' }), state));
  assert.deepEqual([denied.status, denied.event_id], ['error', toolEventId('codex', 'call_1')]);
  const result = (output: string) =>
    event(mapCodexLogRecord(codex({ 'event.name': 'codex.tool_result', call_id: 'call_2', tool_name: 'exec_command', success: 'true', duration_ms: '5', output }), state));
  assert.equal(result('Chunk ID: a1\nWall time: 0.0100 seconds\nProcess exited with code 1\nOutput:\ncat: x: No such file').status, 'error', 'a non-zero exit is a failed call');
  assert.equal(result('Chunk ID: a1\nWall time: 0.0100 seconds\nProcess exited with code 0\nOutput:\nok').status, 'success');
  const redacted = event(mapCodexLogRecord(codex({ 'event.name': 'codex.user_prompt', prompt: '[REDACTED]', prompt_length: '14' }), state));
  assert.deepEqual(redacted.metadata, { otel_event: 'codex.user_prompt', prompt_length: 14 }, 'a withheld prompt is no prompt text');
  const claudeRedacted = event(mapClaudeLogRecord(record({ 'event.name': 'user_prompt', 'session.id': 's1', prompt: '<REDACTED>' })));
  assert.equal((claudeRedacted.metadata as Record<string, unknown>).prompt, undefined);
  assert.equal(mapCodexLogRecord(record({ 'event.name': 'codex.user_prompt' }), state).kind, 'rejected');
});

test('counter rows: kept metrics only, session and identity attributes split off, delta keyed by interval, cumulative by stream', () => {
  const metrics = (temporality: number) => ({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'claude_code.token.usage',
                unit: 'tokens',
                sum: {
                  aggregationTemporality: temporality,
                  dataPoints: [
                    {
                      startTimeUnixNano: '1795481629435000000',
                      timeUnixNano: '1795481629819000000',
                      asDouble: 185,
                      attributes: [
                        { key: 'session.id', value: { stringValue: 's1' } },
                        { key: 'user.id', value: { stringValue: 'u' } },
                        { key: 'type', value: { stringValue: 'input' } },
                        { key: 'model', value: { stringValue: 'm' } },
                      ],
                    },
                  ],
                },
              },
              { name: 'claude_code.some.gauge', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: '1795481629819000000' }] } },
            ],
          },
        ],
      },
    ],
  });
  const delta = counterRowsOf(metricPointsOf(metrics(1)));
  assert.equal(delta.rows.length, 1);
  assert.deepEqual(delta.rejected, []);
  const [row] = delta.rows;
  assert.deepEqual(
    [row.agent_type, row.session_id, row.attributes, row.value, row.point_key, row.stream_start],
    ['claude-code', 's1', '{"model":"m","type":"input"}', 185, '01795481629819000000', '01795481629435000000'],
  );
  assert.equal(counterRowsOf(metricPointsOf(metrics(2))).rows[0].point_key, 'cumulative');
  assert.equal(counterRowsOf(metricPointsOf(metrics(0))).rejected.length, 1);
});

test('the Codex [otel] snippet and the Claude Code environment point at our endpoint; hooks/codex/otel-config.toml is the default snippet', () => {
  assert.equal(otelEndpoint({ port: 4000 }), 'http://127.0.0.1:4000/api/otel');
  const toml = codexOtelConfig({ port: 4000 });
  assert.match(toml, /^\[otel\]$/m);
  assert.match(toml, /^exporter = \{ otlp-http = \{ endpoint = "http:\/\/127\.0\.0\.1:4000\/api\/otel\/v1\/logs", protocol = "binary" \} \}$/m);
  assert.match(toml, /^metrics_exporter = .*\/api\/otel\/v1\/metrics", protocol = "binary"/m);
  assert.match(toml, /^# exporter = .*protocol = "json"/m);
  assert.match(codexOtelConfig({ token: 't0k' }, 'json'), /headers = \{ "Authorization" = "Bearer t0k" \}/);
  assert.equal(fs.readFileSync(path.join(ROOT, 'hooks/codex/otel-config.toml'), 'utf8'), codexOtelConfig());

  const env = claudeCodeTelemetryEnv({ port: 4000 });
  assert.equal(env.CLAUDE_CODE_ENABLE_TELEMETRY, '1');
  assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4000/api/otel');
  assert.equal(env.OTEL_EXPORTER_OTLP_HEADERS, undefined);
  assert.equal(env.OTEL_LOG_USER_PROMPTS, undefined);
  assert.equal(claudeCodeTelemetryEnv({}, { logUserPrompts: true, protocol: 'http/json' }).OTEL_LOG_USER_PROMPTS, '1');
  assert.match(claudeCodeTelemetryShell({ token: "it's" }), /^export OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer it'\\''s'$/m);
});

test('event name: attribute event.name, else LogRecord.event_name (current SDKs), else the body', () => {
  // The official JS SDK 3.x sends Claude Code's events with event_name only (test/fixtures/otel-sdk3).
  const bare = mapClaudeLogRecord(record({ 'session.id': 's1', 'prompt.id': 'p1', prompt_length: 2 }, { eventName: 'claude_code.user_prompt' }));
  assert.equal(bare.kind, 'event');
  if (bare.kind === 'event') assert.equal(event(bare).event_type, 'user_prompt');
  // Codex's Rust exporter fills event_name with its tracing call site; the attribute names the event.
  const codex = record(
    { 'event.name': 'codex.tool_result', 'conversation.id': 'c1', call_id: 'call_1', tool_name: 'shell', success: 'true', duration_ms: 5 },
    { eventName: 'event otel/src/tool_result.rs:54', resource: { 'service.name': 'codex_exec' } },
  );
  const out = mapCodexLogRecord(codex, new CodexBatchState());
  assert.equal(out.kind, 'event');
  if (out.kind === 'event') assert.equal(event(out).event_type, 'tool_use');
});

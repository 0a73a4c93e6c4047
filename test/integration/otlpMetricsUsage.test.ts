/**
 * Metrics-only sessions (issue 16): a Claude Code session that exports `claude_code.token.usage` and
 * `claude_code.cost.usage` but no log records gets its usage from what those counters grew by, and
 * never twice: log records (or a transcript) of the same session replace it, whichever comes first.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EventsPage, SessionDetail, Stats } from '../../src/core/contracts/api';
import { llmRequestEventId } from '../../src/core/contracts/eventIds';
import { runImport } from '../../src/core/importers/importRunner';
import { startTestServer, type TestServer } from '../helpers/server';
import { tmpDir } from '../helpers/tmp';

const SDK3_METRICS = fs.readFileSync(path.resolve(__dirname, '../fixtures/otel-sdk3/sdk3-otlp-metrics.pb'));
const SID = 'sdk3-metrics-only';
/** What the official SDK export in the fixture says: 185 / 59 / 14312 / 1520 tokens, $0.0114336. */
const FIXTURE = { tokens_in: 185, tokens_out: 59, cache_read_tokens: 14312, cache_write_tokens: 1520, cost_usd: 0.0114336 };

async function postMetricsPb(s: TestServer, body: Uint8Array): Promise<void> {
  const r = await fetch(`${s.url}/api/otel/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(body) });
  assert.equal(r.status, 200);
}

async function postJson(s: TestServer, signal: 'logs' | 'metrics', body: unknown): Promise<void> {
  const r = await s.post(`/api/otel/v1/${signal}`, body);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, {});
}

async function totals(s: TestServer, sid: string) {
  const r = await s.get<SessionDetail>(`/api/sessions/${encodeURIComponent(sid)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const { tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd } = r.body.session;
  return { tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cost_usd: Math.round(cost_usd * 1e9) / 1e9 };
}

async function llmEvents(s: TestServer, sid: string) {
  const r = await s.get<EventsPage>(`/api/events?session_id=${encodeURIComponent(sid)}&event_type=llm_request&limit=100`);
  return r.body.events;
}

async function grandTotal(s: TestServer) {
  const r = await s.get<Stats>('/api/stats');
  const t = r.body.total;
  return { tokens_in: t.tokens_in, tokens_out: t.tokens_out, cost_usd: Math.round(t.cost_usd * 1e9) / 1e9 };
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: String(v) } });
const resource = { attributes: [str('service.name', 'claude-code')] };

function apiRequestLog(sid: string, requestId: string, tokensIn: number, tokensOut: number, cost: number) {
  return {
    resourceLogs: [{
      resource,
      scopeLogs: [{
        scope: { name: 'com.anthropic.claude_code.events' },
        logRecords: [{
          timeUnixNano: '1796627752000000000',
          eventName: 'claude_code.api_request',
          attributes: [str('session.id', sid), str('model', 'claude-sonnet-4-5-20250929'), int('input_tokens', tokensIn), int('output_tokens', tokensOut),
            { key: 'cost_usd', value: { doubleValue: cost } }, str('request_id', requestId)],
        }],
      }],
    }],
  };
}

/** A cumulative `claude_code.token.usage` input stream of one session at `value`. */
function cumulativeInput(sid: string, value: number, endNs: string) {
  return {
    resourceMetrics: [{
      resource,
      scopeMetrics: [{
        scope: { name: 'com.anthropic.claude_code' },
        metrics: [{
          name: 'claude_code.token.usage',
          unit: 'tokens',
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: [{
              attributes: [str('session.id', sid), str('model', 'claude-sonnet-4-5-20250929'), str('type', 'input')],
              startTimeUnixNano: '1796627000000000000',
              timeUnixNano: endNs,
              asDouble: value,
            }],
          },
        }],
      }],
    }],
  };
}

test('a session that exports metrics only (official SDK 3.x export) gets its tokens and cost from them, once', async () => {
  const s = await startTestServer();
  await postMetricsPb(s, SDK3_METRICS);
  assert.deepEqual(await totals(s, SID), FIXTURE);
  const evs = await llmEvents(s, SID);
  assert.equal(evs.length, 1);
  assert.equal(evs[0].model, 'claude-sonnet-4-5-20250929');
  assert.equal(evs[0].cost_source, 'agent', 'the cost is what claude_code.cost.usage said');
  await postMetricsPb(s, SDK3_METRICS);
  assert.deepEqual(await totals(s, SID), FIXTURE, 'a re-sent export adds nothing');
  assert.equal((await llmEvents(s, SID)).length, 1);
  await s.close();
});

test('log records that arrive later replace the metric-derived usage (totals, events and the overview)', async () => {
  const s = await startTestServer();
  await postMetricsPb(s, SDK3_METRICS);
  assert.deepEqual(await grandTotal(s), { tokens_in: 185, tokens_out: 59, cost_usd: 0.0114336 });
  await postJson(s, 'logs', apiRequestLog(SID, 'req_late_1', 185, 59, 0.0114336));
  assert.deepEqual(await totals(s, SID), { ...FIXTURE, cache_read_tokens: 0, cache_write_tokens: 0 }, "the log record's usage alone");
  const evs = await llmEvents(s, SID);
  assert.deepEqual(evs.map((e) => e.event_id), [llmRequestEventId('claude-code', 'req_late_1')]);
  assert.deepEqual(await grandTotal(s), { tokens_in: 185, tokens_out: 59, cost_usd: 0.0114336 }, 'hourly rollup: not counted twice');
  // Later metric exports of the covered session add nothing either.
  await postJson(s, 'metrics', cumulativeInput(SID, 1000, '1796627999000000000'));
  assert.equal((await totals(s, SID)).tokens_in, 185);
  await s.close();
});

test('metrics of a session whose log records are stored already add nothing', async () => {
  const s = await startTestServer();
  await postJson(s, 'logs', apiRequestLog(SID, 'req_first_1', 10, 5, 0.001));
  await postMetricsPb(s, SDK3_METRICS);
  assert.deepEqual(await totals(s, SID), { tokens_in: 10, tokens_out: 5, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0.001 });
  assert.equal((await llmEvents(s, SID)).length, 1);
  await s.close();
});

test('cumulative streams count what they grew by between exports', async () => {
  const s = await startTestServer();
  const sid = 'cumulative-metrics-only';
  await postJson(s, 'metrics', cumulativeInput(sid, 100, '1796627100000000000'));
  await postJson(s, 'metrics', cumulativeInput(sid, 250, '1796627200000000000'));
  await postJson(s, 'metrics', cumulativeInput(sid, 250, '1796627200000000000'));
  const t = await totals(s, sid);
  assert.equal(t.tokens_in, 250);
  assert.ok(t.cost_usd > 0, 'no cost counter: priced from the tokens');
  assert.equal((await llmEvents(s, sid)).length, 2);
  await s.close();
});

test('a transcript imported later replaces the metric-derived usage of its session', async () => {
  const s = await startTestServer();
  await postMetricsPb(s, SDK3_METRICS);
  const claudeDir = path.join(tmpDir(), 'claude');
  const project = path.join(claudeDir, 'projects', '-r-proj');
  fs.mkdirSync(project, { recursive: true });
  const line = {
    type: 'assistant', sessionId: SID, uuid: 'u-1', requestId: 'req_transcript_1', timestamp: '2026-12-07T07:15:52.000Z', cwd: '/r/proj',
    message: { id: 'msg_transcript_1', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text: 'hi' }],
      usage: { input_tokens: 185, output_tokens: 59, cache_read_input_tokens: 14312, cache_creation_input_tokens: 1520 } },
  };
  fs.writeFileSync(path.join(project, `${SID}.jsonl`), `${JSON.stringify(line)}\n`);
  const summary = await runImport({ store: s.core.store, ingest: s.core.ingest }, { importId: 'metrics-then-transcript', claudeDirs: [claudeDir], codexDirs: [] });
  assert.ok(summary.events >= 1, 'the importer read the transcript');
  const evs = await llmEvents(s, SID);
  assert.deepEqual(evs.map((e) => e.event_id), [llmRequestEventId('claude-code', 'req_transcript_1')]);
  const t = await totals(s, SID);
  assert.deepEqual({ ...t, cost_usd: undefined }, { ...FIXTURE, cost_usd: undefined }, 'the same tokens once, from the transcript');
  await s.close();
});

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { EventsPage, SessionDetail } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import { channelEventId, codexResponseKey, llmRequestEventId, toolEventId } from '../../src/core/contracts/eventIds';
import { runImport } from '../../src/core/importers/importRunner';
import { claudeCodeTelemetryEnv } from '../../src/core/otel/codexConfigSnippet';
import { decodeOtlpResponse, decodeRpcStatus } from '../../src/core/otel/otlpProto';
import { jsonLines, waitFor } from '../helpers/hookFixtures';
import { claudeApiRequests } from '../helpers/otlpLogs';
import { startTestServer, type TestServer } from '../helpers/server';
import { tmpDir } from '../helpers/tmp';
import { FIXTURES_DIR } from '../helpers/sharedDir';

const FIXTURES = FIXTURES_DIR;
const CAPTURED = path.join(FIXTURES, 'captured');
const CLAUDE_JSON_SID = '5df58c72-10ee-4455-8525-dd0ff3c62090';
const CLAUDE_PB_SID = '1ade89e2-f908-4a68-b547-fb1a3e9505e2';
const CODEX_CONV = '01a20b0a-7dc8-7c71-883b-a8f904513445';

interface Capture {
  name: string;
  url: string;
  contentType: string;
  body: Buffer;
}

function captures(run: string): Capture[] {
  const dir = path.join(CAPTURED, run, 'otlp');
  return fs
    .readdirSync(dir)
    .filter((f) => !f.endsWith('.meta.json'))
    .sort()
    .map((f) => {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, f.replace(/\.(json|pb)$/, '.meta.json')), 'utf8'));
      return { name: f, url: `/api/otel${meta.url}`, contentType: meta.headers['content-type'], body: fs.readFileSync(path.join(dir, f)) };
    });
}

async function post(s: TestServer, url: string, body: Buffer | string, headers: Record<string, string>) {
  const r = await fetch(s.url + url, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: Buffer.from(await r.arrayBuffer()) };
}

/** Replays captures (optionally gzip-compressed) and checks each gets an OTLP success answer. */
async function replay(s: TestServer, list: Capture[], gzip = false): Promise<void> {
  for (const c of list) {
    const headers: Record<string, string> = { 'content-type': c.contentType };
    if (gzip) headers['content-encoding'] = 'gzip';
    const r = await post(s, c.url, gzip ? gzipSync(c.body) : c.body, headers);
    assert.equal(r.status, 200, `${c.name}: ${r.body.toString()}`);
    if (c.contentType === 'application/json') {
      assert.deepEqual(JSON.parse(r.body.toString()), {}, c.name);
    } else {
      assert.match(r.type, /application\/x-protobuf/, c.name);
      const signal = c.url.endsWith('logs') ? 'logs' : c.url.endsWith('metrics') ? 'metrics' : 'traces';
      assert.deepEqual(decodeOtlpResponse(signal, r.body), {}, c.name);
    }
  }
}

async function session(s: TestServer, id: string): Promise<SessionDetail['session']> {
  const r = await s.get<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.session;
}

async function events(s: TestServer, sessionId: string): Promise<StoredEvent[]> {
  const r = await s.get<EventsPage>(`/api/events?session_id=${encodeURIComponent(sessionId)}&limit=1000`);
  assert.equal(r.status, 200);
  return [...r.body.events].sort((a, b) => a.id - b.id);
}

/** Claude Code's own account of the run: the `result` line of its stream-json output. */
function claudeResult(run: string) {
  const line = fs
    .readFileSync(path.join(CAPTURED, run, 'claude-stdout.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"result"'))
    .map((l) => JSON.parse(l))[0];
  const usage = Object.values(line.modelUsage as Record<string, Record<string, number>>)[0];
  return { cost: line.total_cost_usd as number, usage };
}

/** Claude Code api_request records of a capture, read straight from the bodies (JSON run). */
function claudeRequestIds(run: string): string[] {
  const ids: string[] = [];
  for (const c of captures(run).filter((c) => c.url.endsWith('/logs'))) {
    const req = JSON.parse(c.body.toString());
    for (const rl of req.resourceLogs) for (const sl of rl.scopeLogs) for (const r of sl.logRecords) {
      const a = Object.fromEntries(r.attributes.map((kv: { key: string; value: Record<string, unknown> }) => [kv.key, Object.values(kv.value)[0]]));
      if (a['event.name'] === 'api_request') ids.push(a.request_id as string);
    }
  }
  return ids;
}

async function counts(s: TestServer) {
  return s.core.store.query('storeCounts', {});
}

function assertClaudeTotals(sess: SessionDetail['session'], run: string): void {
  const { cost, usage } = claudeResult(run);
  assert.equal(sess.tokens_in, usage.inputTokens);
  assert.equal(sess.tokens_out, usage.outputTokens);
  assert.equal(sess.cache_read_tokens, usage.cacheReadInputTokens);
  assert.equal(sess.cache_write_tokens, usage.cacheCreationInputTokens);
  assert.ok(Math.abs(sess.cost_usd - cost) < 1e-9, `cost ${sess.cost_usd} vs Claude Code's total_cost_usd ${cost}`);
}

test('Claude Code OTLP/JSON replayed: session totals equal its own result line; tools, prompt, subagent; replay adds nothing', async () => {
  const s = await startTestServer();
  const list = captures('claude-json');
  await replay(s, list);
  const sess = await session(s, CLAUDE_JSON_SID);
  assert.equal(sess.agent_type, 'claude-code');
  assert.equal(sess.model, 'claude-sonnet-4-5-20250929');
  assertClaudeTotals(sess, 'claude-json');

  const evs = await events(s, CLAUDE_JSON_SID);
  const llm = evs.filter((e) => e.event_type === 'llm_request');
  assert.deepEqual(
    llm.map((e) => e.event_id).sort(),
    claudeRequestIds('claude-json').map((id) => llmRequestEventId('claude-code', id)).sort(),
  );
  assert.ok(llm.every((e) => e.source === 'otel' && e.cost_source === 'agent'));
  const tools = evs.filter((e) => e.event_type === 'tool_use');
  assert.equal(tools.length, 5);
  assert.ok(tools.every((e) => e.event_id?.startsWith('tool:claude-code:toolu_') && e.status !== 'running'));
  assert.deepEqual(tools.map((e) => e.tool_name).sort(), ['Agent', 'Bash', 'Bash', 'Read', 'Read']);
  const failed = tools.filter((e) => e.status === 'error');
  assert.equal(failed.length, 1, 'the Read of the missing file failed');
  assert.equal(failed[0].tool_name, 'Read');
  assert.ok(tools.every((e) => typeof e.duration_ms === 'number'));
  const prompts = evs.filter((e) => e.event_type === 'user_prompt');
  assert.equal(prompts.length, 1);
  assert.equal(prompts[0].event_id, channelEventId('user_prompt', 'claude-code', CLAUDE_JSON_SID, String(prompts[0].metadata?.prompt_id)));
  assert.equal(evs.filter((e) => e.event_type === 'subagent_stop').length, 1);

  // Metrics are counters beside the totals: cost.usage says the same spend, and is not added.
  const cost = await s.core.store.query('otelCounterTotals', { session_id: CLAUDE_JSON_SID, metric: 'claude_code.cost.usage' });
  const costSum = cost.reduce((n, r) => n + r.value, 0);
  assert.ok(Math.abs(costSum - claudeResult('claude-json').cost) < 1e-9);
  const active = await s.core.store.query('otelCounterTotals', { session_id: CLAUDE_JSON_SID, metric: 'claude_code.active_time.total' });
  assert.equal(active.length, 1);

  const before = await counts(s);
  const countersBefore = await s.core.store.query('otelCounterTotals', {});
  await replay(s, list);
  await replay(s, list, true);
  assert.deepEqual(await counts(s), before);
  assert.deepEqual(await s.core.store.query('otelCounterTotals', {}), countersBefore);
  assertClaudeTotals(await session(s, CLAUDE_JSON_SID), 'claude-json');
  await s.close();
});

test('Claude Code OTLP protobuf replayed gzip-compressed, then plain: protobuf answers, totals equal its result line once', async () => {
  const s = await startTestServer();
  const list = captures('claude-protobuf');
  assert.ok(list.every((c) => c.contentType === 'application/x-protobuf'));
  await replay(s, list, true);
  const sess = await session(s, CLAUDE_PB_SID);
  assertClaudeTotals(sess, 'claude-protobuf');
  const tools = (await events(s, CLAUDE_PB_SID)).filter((e) => e.event_type === 'tool_use');
  assert.equal(tools.length, 5);
  const before = await counts(s);
  await replay(s, list);
  assert.deepEqual(await counts(s), before);
  assertClaudeTotals(await session(s, CLAUDE_PB_SID), 'claude-protobuf');
  await s.close();
});

/** Codex's own final token totals, from the rollout of the same run. */
function codexRolloutTotals() {
  const dir = path.join(CAPTURED, 'codex-json', 'codex-home', 'sessions');
  const files: string[] = [];
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : files.push(path.join(d, e.name))));
  walk(dir);
  let total: Record<string, number> | null = null;
  for (const line of fs.readFileSync(files[0], 'utf8').split('\n')) {
    if (!line.includes('"token_count"')) continue;
    const info = JSON.parse(line).payload.info;
    if (info) total = info.total_token_usage;
  }
  assert.ok(total);
  return total;
}

test('Codex OTLP/JSON replayed (gzip and plain): session, usage by ordinal, tool result; totals equal the rollout', async () => {
  const s = await startTestServer();
  const list = captures('codex-json');
  await replay(s, list, true);
  const sess = await session(s, CODEX_CONV);
  const total = codexRolloutTotals();
  assert.equal(sess.agent_type, 'codex');
  assert.equal(sess.tokens_in, total.input_tokens - total.cached_input_tokens);
  assert.equal(sess.cache_read_tokens, total.cached_input_tokens);
  assert.equal(sess.tokens_out, total.output_tokens);
  assert.ok(sess.cost_usd > 0, 'gpt-5-codex is priced');

  const evs = await events(s, CODEX_CONV);
  const llm = evs.filter((e) => e.event_type === 'llm_request');
  assert.deepEqual(
    llm.map((e) => e.event_id),
    [1, 2].map((n) => llmRequestEventId('codex', codexResponseKey(CODEX_CONV, n))),
  );
  assert.equal(llm.reduce((n, e) => n + e.reasoning_tokens, 0), total.reasoning_output_tokens);
  assert.ok(llm.every((e) => e.cost_source === 'computed'));
  assert.equal(evs.filter((e) => e.event_type === 'session_start').length, 1);
  assert.deepEqual(
    evs.filter((e) => e.event_type === 'user_prompt').map((e) => e.event_id),
    [channelEventId('prompt', 'codex', CODEX_CONV, '1')],
  );
  const tools = evs.filter((e) => e.event_type === 'tool_use');
  assert.equal(tools.length, 1);
  assert.equal(tools[0].event_id, toolEventId('codex', 'call_fakemwtzd7vu0003'));
  assert.equal(tools[0].tool_name, 'exec_command');
  assert.equal(tools[0].status, 'success');
  assert.equal(tools[0].duration_ms, 162);

  const before = await counts(s);
  await replay(s, list);
  assert.deepEqual(await counts(s), before);
  assert.equal((await session(s, CODEX_CONV)).cost_usd, sess.cost_usd);
  await s.close();
});

test('the same runs imported from their transcripts afterwards change no total (and importing first, then OTLP, neither)', async () => {
  const claudeDir = path.join(CAPTURED, 'claude-json', 'claude-config');
  const codexDir = path.join(CAPTURED, 'codex-json', 'codex-home');
  const totals = async (s: TestServer) => {
    const out: Record<string, unknown> = {};
    for (const id of [CLAUDE_JSON_SID, CODEX_CONV]) {
      const x = await session(s, id);
      out[id] = [x.tokens_in, x.tokens_out, x.cache_read_tokens, x.cache_write_tokens, Math.round(x.cost_usd * 1e9)];
    }
    return out;
  };
  const importAll = (s: TestServer) =>
    runImport({ store: s.core.store, ingest: s.core.ingest }, { importId: 'otel-test', claudeDirs: [claudeDir], codexDirs: [codexDir] });

  const otelFirst = await startTestServer();
  await replay(otelFirst, [...captures('claude-json'), ...captures('codex-json')]);
  const fromOtel = await totals(otelFirst);
  const summary = await importAll(otelFirst);
  assert.ok(summary.events > 0, 'the importer read the transcripts');
  assert.deepEqual(await totals(otelFirst), fromOtel);
  const codexEvents = await events(otelFirst, CODEX_CONV);
  for (const type of ['session_start', 'user_prompt', 'tool_use'] as const) {
    assert.equal(codexEvents.filter((e) => e.event_type === type).length, 1, `one Codex ${type} seen through both channels`);
  }

  const importFirst = await startTestServer();
  await importAll(importFirst);
  const fromImport = await totals(importFirst);
  await replay(importFirst, [...captures('claude-json'), ...captures('codex-json')]);
  assert.deepEqual(await totals(importFirst), fromImport);
  assert.deepEqual(fromImport, fromOtel);
  await otelFirst.close();
  await importFirst.close();
});

test('hooks, OTLP and transcripts of the same runs: each prompt and tool call is stored once', async () => {
  const s = await startTestServer();
  const hookBodies = (run: string) =>
    run === 'codex-json'
      ? ['SessionStart', 'UserPromptSubmit', 'PreToolUse', 'PostToolUse', 'Stop', 'SessionEnd'].flatMap((n) => jsonLines(path.join(CAPTURED, run, `hooks-${n}.jsonl`)))
      : [...jsonLines(path.join(CAPTURED, run, 'hooks-SessionStart.jsonl')), ...jsonLines(path.join(CAPTURED, run, 'hooks-http.jsonl')).map((l) => l.body as Record<string, unknown>)];
  const runs = [
    { run: 'claude-json', sid: CLAUDE_JSON_SID, route: '/api/hooks/claude-code' },
    { run: 'codex-json', sid: CODEX_CONV, route: '/api/hooks/codex' },
  ];
  for (const { run, route } of runs) {
    for (const body of hookBodies(run)) {
      const r = await post(s, route, JSON.stringify(body), { 'content-type': 'application/json' });
      assert.equal(r.status, 200);
    }
  }
  // Twice, as a re-sent export would: nothing new either time.
  await replay(s, [...captures('claude-json'), ...captures('codex-json')]);
  await replay(s, [...captures('claude-json'), ...captures('codex-json')]);
  await runImport(
    { store: s.core.store, ingest: s.core.ingest },
    { importId: 'three-channels', claudeDirs: [path.join(CAPTURED, 'claude-json', 'claude-config')], codexDirs: [path.join(CAPTURED, 'codex-json', 'codex-home')] },
  );
  for (const { run, sid } of runs) {
    const bodies = hookBodies(run).filter((b) => b.session_id === sid);
    const expected = (name: string) => bodies.filter((b) => b.hook_event_name === name).length;
    const list = await waitFor(`${run}: every hook stored`, async () => {
      const l = await events(s, sid);
      return l.filter((e) => e.event_type === 'tool_use' && e.status !== 'running').length >= expected('PreToolUse') ? l : null;
    });
    assert.ok(expected('UserPromptSubmit') > 0, `${run}: the capture has prompts`);
    assert.equal(list.filter((e) => e.event_type === 'user_prompt').length, expected('UserPromptSubmit'), `${run}: prompts`);
    assert.equal(list.filter((e) => e.event_type === 'tool_use').length, expected('PreToolUse'), `${run}: tool calls`);
  }
  await s.close();
});

test('bad requests are refused cleanly and nothing stored is lost', async () => {
  const s = await startTestServer({ maxBodyBytes: 2 * 1024 * 1024 });
  await replay(s, captures('codex-json'));
  const before = await counts(s);
  const sessBefore = await session(s, CODEX_CONV);
  const logs = '/api/otel/v1/logs';
  const json = { 'content-type': 'application/json' };
  const pb = { 'content-type': 'application/x-protobuf' };

  const malformed = await post(s, logs, '{"resourceLogs": [', json);
  assert.equal(malformed.status, 400);
  assert.match(JSON.parse(malformed.body.toString()).error, /invalid JSON/);

  const pbBody = captures('claude-protobuf').find((c) => c.url.endsWith('/logs'))!.body;
  const truncated = await post(s, logs, pbBody.subarray(0, Math.floor(pbBody.length / 2)), pb);
  assert.equal(truncated.status, 400);
  assert.match(truncated.type, /application\/x-protobuf/, 'OTLP/HTTP: a protobuf google.rpc.Status');
  const status = decodeRpcStatus(truncated.body);
  assert.equal(status.code, 3);
  assert.match(status.message ?? '', /invalid protobuf ExportLogsServiceRequest/);

  const wrongType = await post(s, logs, '{}', { 'content-type': 'text/plain' });
  assert.equal(wrongType.status, 415);
  assert.match(JSON.parse(wrongType.body.toString()).error, /text\/plain.*application\/json or application\/x-protobuf/);

  const wrongEncoding = await post(s, logs, '{}', { ...json, 'content-encoding': 'br' });
  assert.equal(wrongEncoding.status, 415);

  const badGzip = await post(s, logs, Buffer.from('not gzip at all'), { ...json, 'content-encoding': 'gzip' });
  assert.equal(badGzip.status, 400);

  // 64 MB of zeros inflate from ~64 KB: refused once past the 2 MB limit, not inflated whole.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
  assert.ok(bomb.length < 1024 * 1024);
  const bombed = await post(s, logs, bomb, { ...json, 'content-encoding': 'gzip' });
  assert.equal(bombed.status, 413);
  assert.match(JSON.parse(bombed.body.toString()).error, /decompressed body larger than the limit/);

  const tooLarge = await post(s, logs, Buffer.alloc(3 * 1024 * 1024, 0x20), json);
  assert.equal(tooLarge.status, 413);

  const shape = await post(s, logs, JSON.stringify({ resourceLogs: { not: 'a list' } }), json);
  assert.equal(shape.status, 400);
  assert.match(JSON.parse(shape.body.toString()).error, /resourceLogs must be an array/);

  assert.deepEqual(await counts(s), before);
  assert.deepEqual(await session(s, CODEX_CONV), sessBefore);
  await s.close();
});

test('records without their session or not records at all are rejected in partialSuccess while the others are stored', async () => {
  const s = await startTestServer();
  const attrs = (extra: Record<string, string>) => Object.entries(extra).map(([key, v]) => ({ key, value: { stringValue: v } }));
  const body = {
    resourceLogs: [
      {
        resource: { attributes: attrs({ 'service.name': 'claude-code' }) },
        scopeLogs: [
          {
            logRecords: [
              { timeUnixNano: '1795481627706000000', attributes: attrs({ 'event.name': 'user_prompt', 'prompt.id': 'p1' }) },
              'not a record',
              {
                timeUnixNano: 1795481627707000000,
                attributes: attrs({ 'event.name': 'user_prompt', 'session.id': 'partial-session', 'prompt.id': 'p2', prompt: 'hello' }),
              },
            ],
          },
        ],
      },
    ],
  };
  const r = await post(s, '/api/otel/v1/logs', JSON.stringify(body), { 'content-type': 'application/json' });
  assert.equal(r.status, 200);
  const answer = JSON.parse(r.body.toString());
  assert.equal(answer.partialSuccess.rejectedLogRecords, '2');
  assert.match(answer.partialSuccess.errorMessage, /log record 0: .*session\.id.*; log record 1: not an object/);
  const evs = await events(s, 'partial-session');
  assert.equal(evs.length, 1);
  assert.equal(evs[0].metadata?.prompt, 'hello');
  assert.equal(evs[0].created_at, '2026-11-24T00:53:47.707Z');
  await s.close();
});

function sumMetric(name: string, temporality: 1 | 2, points: [start: string, end: string, value: number][]) {
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'claude-code' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name,
                unit: 'count',
                sum: {
                  aggregationTemporality: temporality,
                  isMonotonic: true,
                  dataPoints: points.map(([start, end, v]) => ({
                    startTimeUnixNano: start,
                    timeUnixNano: end,
                    asInt: String(v),
                    attributes: [
                      { key: 'session.id', value: { stringValue: 'metric-session' } },
                      { key: 'type', value: { stringValue: 'added' } },
                    ],
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

test('metric counters: delta points add up once, cumulative streams keep their latest value, replays change nothing', async () => {
  const s = await startTestServer();
  const url = '/api/otel/v1/metrics';
  const json = { 'content-type': 'application/json' };
  const t = (sec: number) => `${1795481600 + sec}000000000`;
  const value = async (metric: string) =>
    (await s.core.store.query('otelCounterTotals', { metric })).reduce((n, r) => n + r.value, 0);

  const delta1 = sumMetric('claude_code.lines_of_code.count', 1, [[t(0), t(60), 10]]);
  const delta2 = sumMetric('claude_code.lines_of_code.count', 1, [[t(60), t(120), 5]]);
  for (const body of [delta1, delta2, delta1, delta2]) assert.equal((await post(s, url, JSON.stringify(body), json)).status, 200);
  assert.equal(await value('claude_code.lines_of_code.count'), 15);

  const cum1 = sumMetric('claude_code.commit.count', 2, [[t(0), t(60), 2]]);
  const cum2 = sumMetric('claude_code.commit.count', 2, [[t(0), t(120), 3]]);
  const restarted = sumMetric('claude_code.commit.count', 2, [[t(200), t(260), 1]]);
  for (const body of [cum1, cum2, cum1, restarted, cum2]) assert.equal((await post(s, url, JSON.stringify(body), json)).status, 200);
  assert.equal(await value('claude_code.commit.count'), 4, 'stream 1 ends at 3, the restarted stream adds 1');

  const noTemporality = sumMetric('claude_code.commit.count', 2, [[t(0), t(300), 9]]);
  (noTemporality.resourceMetrics[0].scopeMetrics[0].metrics[0].sum as { aggregationTemporality: number }).aggregationTemporality = 0;
  const r = await post(s, url, JSON.stringify(noTemporality), json);
  assert.equal(r.status, 200);
  assert.equal(JSON.parse(r.body.toString()).partialSuccess.rejectedDataPoints, '1');
  assert.equal(await value('claude_code.commit.count'), 4);
  const sess = await s.core.store.query('storeCounts', {});
  assert.equal(sess.events, 0, 'metrics never become events or totals');
  await s.close();
});

test('Codex response ordinals survive a restart: the re-sent first response stays #1, the next is #2', async () => {
  const dir = tmpDir();
  const logsBody = JSON.parse(captures('codex-json').find((c) => c.name.endsWith('0005-otlp-logs.json'))!.body.toString());
  const records = logsBody.resourceLogs[0].scopeLogs[0].logRecords as { attributes: { key: string; value: Record<string, unknown> }[] }[];
  const usage = records.filter((r) => r.attributes.some((a) => a.key === 'input_token_count'));
  assert.equal(usage.length, 2);
  const only = (recs: unknown[]) => JSON.stringify({ ...logsBody, resourceLogs: [{ ...logsBody.resourceLogs[0], scopeLogs: [{ ...logsBody.resourceLogs[0].scopeLogs[0], logRecords: recs }] }] });
  const json = { 'content-type': 'application/json' };

  const first = await startTestServer({}, { dir });
  assert.equal((await post(first, '/api/otel/v1/logs', only([usage[0]]), json)).status, 200);
  await first.close();

  const second = await startTestServer({}, { dir });
  assert.equal((await post(second, '/api/otel/v1/logs', only(usage), json)).status, 200);
  const llm = (await events(second, CODEX_CONV)).filter((e) => e.event_type === 'llm_request');
  assert.deepEqual(
    llm.map((e) => [e.event_id, e.tokens_out]),
    [
      [llmRequestEventId('codex', codexResponseKey(CODEX_CONV, 1)), 57],
      [llmRequestEventId('codex', codexResponseKey(CODEX_CONV, 2)), 57],
    ],
  );
  assert.deepEqual(
    llm.map((e) => e.tokens_in + e.cache_read_tokens),
    [2516, 2538],
  );
  await second.close();
});

test('with AGENTMONITOR_TOKEN set, the header our Claude Code environment configures is what the receiver accepts', async () => {
  const s = await startTestServer({ token: 'sekret-1' });
  const env = claudeCodeTelemetryEnv({ port: s.port, token: 'sekret-1' });
  const [name, value] = env.OTEL_EXPORTER_OTLP_HEADERS.split(/=(.*)/s);
  const c = captures('claude-protobuf').find((x) => x.url.endsWith('/logs'))!;
  assert.equal(`${env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/logs`, s.url + c.url);
  const denied = await post(s, c.url, c.body, { 'content-type': c.contentType });
  assert.equal(denied.status, 401);
  const ok = await post(s, c.url, c.body, { 'content-type': c.contentType, [name]: value });
  assert.equal(ok.status, 200);
  await s.close();
});

test('records of several senders in one export are stored in the order they came (the sender of each goes to a team store)', async () => {
  const s = await startTestServer();
  const at = Date.UTC(2026, 10, 5, 9);
  const one = (email: string, n: number) =>
    (claudeApiRequests({ 'user.email': email }, [{ sessionId: 'senders-1', requestId: `senders-req-${n}`, model: 'claude-sonnet-4-5-20250929', tokensIn: 10, tokensOut: 1, cost: 0.01, atMs: at + n }]) as { resourceLogs: unknown[] }).resourceLogs;
  const r = await s.post('/api/otel/v1/logs', { resourceLogs: [...one('a@example.com', 1), ...one('b@example.com', 2), ...one('a@example.com', 3)] });
  assert.equal(r.status, 200);
  const stored = await events(s, 'senders-1');
  assert.deepEqual(stored.map((e) => e.event_id), [1, 2, 3].map((n) => llmRequestEventId('claude-code', `senders-req-${n}`)));
  await s.close();
});

/**
 * Issue 15, wrong answers and stalls of the event input: event times out of range, strings that
 * are not valid Unicode, huge metadata, and sessions that end and go on.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EventsPage, SessionDetail } from '../../src/core/contracts/api';
import type { BatchResult, EventInput, StoredEvent } from '../../src/core/contracts/events';
import { toRecord } from '../../src/core/ingest/normalize';
import { startTestServer, type TestServer } from '../helpers/server';

const ev = (over: Record<string, unknown> = {}) => ({ session_id: 'sess-1', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', ...over });

type Refusal = { error: string; errors: { field: string; message: string }[] };

/** POST raw bytes (the helper's `post` sends well-formed UTF-8 only). */
async function postBytes(s: TestServer, p: string, body: Uint8Array | string, contentType = 'application/json') {
  const r = await fetch(s.url + p, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : null) as Refusal & Record<string, unknown> };
}

async function eventsOf(s: TestServer, sessionId: string): Promise<StoredEvent[]> {
  await s.core.store.drain();
  const r = await s.get<EventsPage>(`/api/events?session_id=${encodeURIComponent(sessionId)}&limit=1000`);
  assert.equal(r.status, 200);
  return [...r.body.events].sort((a, b) => a.id - b.id);
}

/** Store a record as an older version without the checks would have: through the store, not the API. */
async function storeUnchecked(s: TestServer, e: EventInput, createdAt: number): Promise<void> {
  const r = toRecord(e, 'api', 32 * 1024);
  r.created_at = createdAt;
  r.client_timestamp = new Date(createdAt).toISOString();
  s.core.store.allocateIds([r]);
  await s.core.store.append([r], true);
}

describe('event times', () => {
  test('a client_timestamp before 2000 or more than a day ahead is refused naming the field', async () => {
    const s = await startTestServer();
    const dayAhead = new Date(Date.now() + 2 * 86_400_000).toISOString();
    for (const ts of ['9999-12-31T23:59:59Z', '1999-12-31T23:59:59Z', dayAhead]) {
      const r = await s.post<Refusal>('/api/events', ev({ client_timestamp: ts }));
      assert.equal(r.status, 400, ts);
      assert.deepEqual(r.body.errors.map((e) => e.field), ['client_timestamp'], ts);
      assert.match(r.body.error, /client_timestamp: must be between 2000-01-01 and one day after the server time/);
    }
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    assert.equal((await s.post('/api/events', ev({ client_timestamp: '2000-01-01T00:00:00Z' }))).status, 201);
    assert.equal((await s.post('/api/events', ev({ client_timestamp: soon }))).status, 201);

    const batch = await s.post<BatchResult>('/api/events/batch', [ev(), ev({ client_timestamp: '9999-12-31T23:59:59Z' }), ev()]);
    assert.equal(batch.status, 201);
    assert.deepEqual(batch.body.rejected.map((x) => [x.index, x.errors.map((e) => e.field)]), [[1, ['events[1].client_timestamp']]]);
    assert.equal(batch.body.ids[1], null);
    assert.equal((await eventsOf(s, 'sess-1')).length, 4);
  });

  test('an OTLP log record dated decades ahead is stored at a usable time, not at its own', async () => {
    const s = await startTestServer();
    const attrs = (o: Record<string, string>) => Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));
    const before = Date.now();
    const record = (id: string, timeUnixNano: string) => ({ timeUnixNano, attributes: attrs({ 'event.name': 'user_prompt', 'session.id': 'otlp-time', 'prompt.id': id }) });
    const body = {
      resourceLogs: [
        {
          resource: { attributes: attrs({ 'service.name': 'claude-code' }) },
          scopeLogs: [{ logRecords: [record('far', '4102444800000000000'), { ...record('observed', '4102444800000000000'), observedTimeUnixNano: '1700000000000000000' }] }],
        },
      ],
    };
    const r = await postBytes(s, '/api/otel/v1/logs', JSON.stringify(body));
    assert.equal(r.status, 200);
    const stored = await eventsOf(s, 'otlp-time');
    assert.equal(stored.length, 2);
    const [observed, received] = stored.map((e) => Date.parse(e.created_at)).sort((a, b) => a - b);
    assert.equal(observed, 1_700_000_000_000, 'the observed time when that one is usable');
    assert.ok(received >= before && received <= Date.now(), 'no usable time: the time it was received');
  });

  test('an out-of-range event already in the database breaks no aggregate', async () => {
    const s = await startTestServer();
    const usage = (sid: string): EventInput => ({ session_id: sid, agent_type: 'claude-code', event_type: 'llm_request', model: 'claude-sonnet-4-5', tokens_in: 1000, cost_usd: 1 });
    await storeUnchecked(s, usage('far-future'), Date.parse('9999-12-31T23:59:59Z'));
    await storeUnchecked(s, usage('beyond-calendar'), 8.64e15);
    await storeUnchecked(s, usage('long-ago'), Date.parse('0999-06-01T00:00:00Z'));
    assert.equal((await s.post('/api/events', usage('today'))).status, 201);
    await s.core.store.drain();
    for (const tz of ['UTC', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      for (const extra of ['', '&stack_model=1']) {
        const r = await s.get<{ rows: { key: string; cost_usd: number }[] }>(`/api/stats/cost?by=day&tz=${tz}${extra}`);
        assert.equal(r.status, 200, `${tz}${extra}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(r.body.rows.map((x) => x.cost_usd), [1], `${tz}${extra}: only today's event has a day`);
      }
    }
    for (const p of ['/api/stats', '/api/stats/cost?by=model', '/api/stats/cost?by=session', '/api/stats/tools?bucket=day', '/api/sessions', '/api/events']) {
      assert.equal((await s.get(p)).status, 200, p);
    }
  });
});

describe('strings that are not valid Unicode', () => {
  test('a lone surrogate in a contract field or inside metadata is refused naming it; pairs are stored as sent', async () => {
    const s = await startTestServer();
    const lone = await postBytes(s, '/api/events', '{"session_id":"a\\ud800b","agent_type":"codex","event_type":"response"}');
    assert.equal(lone.status, 400);
    assert.deepEqual(lone.body.errors.map((e) => e.field), ['session_id']);
    assert.match(lone.body.error, /session_id: contains a lone UTF-16 surrogate/);

    const deep = await postBytes(s, '/api/events', '{"session_id":"s","agent_type":"codex","event_type":"response","metadata":{"a":[1,{"b":"x\\udc00"}]}}');
    assert.equal(deep.status, 400);
    assert.deepEqual(deep.body.errors.map((e) => e.field), ['metadata.a[1].b']);
    const key = await postBytes(s, '/api/events', '{"session_id":"s","agent_type":"codex","event_type":"response","metadata":{"k\\ud800":1}}');
    assert.equal(key.status, 400);
    assert.match(key.body.errors[0].field, /^metadata\[.*\] \(its key\)$/);

    const batch = await postBytes(s, '/api/events/batch', '[{"session_id":"ok","agent_type":"codex","event_type":"response"},{"session_id":"ok","agent_type":"codex","event_type":"response","metadata":{"m":"\\ud83d"}}]');
    assert.equal(batch.status, 201);
    assert.deepEqual((batch.body as unknown as BatchResult).rejected.map((x) => x.errors.map((e) => e.field)), [['events[1].metadata.m']]);

    const paired = await postBytes(s, '/api/events', '{"session_id":"emoji-\\ud83d\\ude00","agent_type":"codex","event_type":"response","metadata":{"m":"\\ud83d\\ude00"}}');
    assert.equal(paired.status, 201);
    const stored = await eventsOf(s, 'emoji-😀');
    assert.equal(stored.length, 1);
    assert.equal(stored[0].metadata?.m, '😀');
    assert.equal((await eventsOf(s, 'ok')).length, 1);
    assert.equal((await eventsOf(s, 's')).length, 0);
  });

  test('a body that is not valid UTF-8 is refused on the event, hook and OTLP JSON routes', async () => {
    const s = await startTestServer();
    const bad = Buffer.concat([Buffer.from('{"session_id":"caf'), Buffer.from([0xe9]), Buffer.from('","agent_type":"codex","event_type":"response"}')]);
    for (const p of ['/api/events', '/api/events/batch', '/api/hooks/claude-code', '/api/otel/v1/logs']) {
      const r = await postBytes(s, p, p.includes('batch') ? Buffer.concat([Buffer.from('['), bad, Buffer.from(']')]) : bad);
      assert.equal(r.status, 400, p);
      assert.match(r.body.error, /not valid UTF-8/, p);
    }
    const hookLone = await postBytes(s, '/api/hooks/claude-code', '{"session_id":"h\\ud800","hook_event_name":"Stop"}');
    assert.equal(hookLone.status, 400);
    assert.match(hookLone.body.error, /session_id: contains a lone UTF-16 surrogate/);
    const good = await postBytes(s, '/api/events', Buffer.from('{"session_id":"café","agent_type":"codex","event_type":"response"}'));
    assert.equal(good.status, 201);
    assert.equal((await eventsOf(s, 'café')).length, 1);
    assert.equal((await s.core.store.query('storeCounts', {})).events, 1);
  });
});

describe('huge metadata', () => {
  test('an event with 200k metadata keys is stored truncated and flagged while the server keeps answering', async () => {
    const s = await startTestServer({ maxPayloadBytes: 8 * 1024 });
    const metadata: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) metadata[`k${i}`] = i % 10;
    const [big, health] = await Promise.all([s.post<{ id: number }>('/api/events', ev({ session_id: 'huge', metadata })), s.get<{ ok?: boolean }>('/api/health')]);
    assert.equal(big.status, 201);
    assert.equal(health.status, 200);
    const [stored] = await eventsOf(s, 'huge');
    assert.equal(stored.payload_truncated, true);
    assert.equal(stored.metadata?.k0, 0);
    assert.match(String(stored.metadata?.['…']), /^\d+ more keys$/);
    assert.ok(Buffer.byteLength(JSON.stringify(stored.metadata)) <= 8 * 1024);

    const hook = await s.post('/api/hooks/claude-code', { session_id: 'huge-hook', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 't1', tool_input: { command: 'ls', ...metadata } });
    assert.equal(hook.status, 200);
    await s.core.store.drain();
    const [call] = await eventsOf(s, 'huge-hook');
    assert.deepEqual(Object.keys((call.metadata?.input ?? {}) as object).length <= 9, true);
    assert.equal((call.metadata?.input as { command?: string }).command, 'ls');
  });
});

describe('sessions that go on after session_end', () => {
  const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
  const status = async (s: TestServer, id: string) => {
    await s.core.store.drain();
    const r = await s.get<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`);
    assert.equal(r.status, 200);
    return { status: r.body.session.status, ended_at: r.body.session.ended_at };
  };

  test('any later event makes an ended session active again, in a later batch or the same one; an earlier one does not', async () => {
    const s = await startTestServer();
    const e = (sid: string, type: string, msAgo: number, over: Record<string, unknown> = {}) => ev({ session_id: sid, event_type: type, client_timestamp: at(msAgo), ...over });

    await s.post('/api/events/batch', [e('later', 'session_start', 9000), e('later', 'tool_use', 8000)]);
    await s.post('/api/events', e('later', 'session_end', 5000));
    assert.equal((await status(s, 'later')).status, 'ended');
    await s.post('/api/events', e('later', 'user_prompt', 1000));
    assert.deepEqual(await status(s, 'later'), { status: 'active', ended_at: null });

    await s.post('/api/events', e('late-import', 'session_end', 5000));
    await s.post('/api/events/batch', [e('late-import', 'response', 6000, { event_id: 'old-1' })]);
    assert.equal((await status(s, 'late-import')).status, 'ended', 'an event from before the end does not reopen');

    await s.post('/api/events/batch', [e('completed', 'tool_use', 8000, { event_id: 'call-1', status: 'running' }), e('completed', 'session_end', 5000)]);
    assert.equal((await status(s, 'completed')).status, 'ended');
    await s.post('/api/events', e('completed', 'tool_use', 1000, { event_id: 'call-1', status: 'success' }));
    assert.equal((await status(s, 'completed')).status, 'active', 'a completion after the end reopens too');

    await s.post('/api/events/batch', [e('same-batch', 'session_end', 5000), e('same-batch', 'stop', 1000)]);
    assert.equal((await status(s, 'same-batch')).status, 'active');
    await s.post('/api/events/batch', [e('ends-last', 'stop', 5000), e('ends-last', 'session_end', 1000)]);
    assert.equal((await status(s, 'ends-last')).status, 'ended');
  });
});

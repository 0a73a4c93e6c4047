import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BatchResult } from '../../src/core/contracts/events';
import { startTestServer } from '../helpers/server';

const ev = (over: Record<string, unknown> = {}) => ({ session_id: 'sess-1', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', ...over });

describe('POST /api/events and /api/events/batch', () => {
  test('a valid event is stored; a bad one is refused naming the field', async () => {
    const s = await startTestServer();
    const ok = await s.post<{ id: number; duplicate: boolean }>('/api/events', ev());
    assert.equal(ok.status, 201);
    assert.equal(ok.body.duplicate, false);
    assert.ok(ok.body.id > 0);
    const bad = await s.post<{ error: string; errors: { field: string }[] }>('/api/events', ev({ tokens_in: -3 }));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /tokens_in/);
    assert.deepEqual(bad.body.errors.map((e) => e.field), ['tokens_in']);
    await s.core.store.drain();
    assert.equal((await s.core.store.query('storeCounts', {})).events, 1);
  });

  test('GET /api/events?after_id= lists the events after an id, oldest first (what push reads); a bad after_id is a 400 naming it', async () => {
    const s = await startTestServer();
    const r = await s.post<BatchResult>('/api/events/batch', [0, 1, 2, 3, 4].map((i) => ev({ event_id: `after-${i}` })));
    const ids = r.body.ids as number[];
    const page = await s.get<{ events: { id: number; event_id: string }[]; next_cursor: string | null }>(`/api/events?after_id=${ids[1]}&limit=2`);
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.events.map((e) => e.event_id), ['after-2', 'after-3']);
    assert.equal(page.body.next_cursor, null);
    const bad = await s.get<{ error: string }>('/api/events?after_id=-1');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /after_id/);
  });

  test('a batch with one bad item keeps the others', async () => {
    const s = await startTestServer();
    const r = await s.post<BatchResult>('/api/events/batch', [ev(), ev({ event_type: 'nope' }), ev({ event_type: 'llm_request', model: 'm', tokens_in: 5 })]);
    assert.equal(r.status, 201);
    assert.equal(r.body.received, 3);
    assert.equal(r.body.rejected.length, 1);
    assert.equal(r.body.rejected[0].index, 1);
    assert.equal(r.body.rejected[0].errors[0].field, 'events[1].event_type');
    assert.equal(r.body.ids[1], null);
    assert.ok(r.body.ids[0]! > 0 && r.body.ids[2]! > r.body.ids[0]!);
    const wrapped = await s.post<BatchResult>('/api/events/batch', { events: [ev()] });
    assert.equal(wrapped.status, 201);
    const notArray = await s.post<{ error: string }>('/api/events/batch', { nope: 1 });
    assert.equal(notArray.status, 400);
    assert.match(notArray.body.error, /events/);
    await s.core.store.drain();
    assert.equal((await s.core.store.query('storeCounts', {})).events, 3);
  });

  test('event_id makes ingest idempotent; a running tool call is completed once', async () => {
    const s = await startTestServer();
    const first = await s.post<BatchResult>('/api/events/batch', [ev({ event_id: 'e-1' }), ev({ event_id: 'e-2', status: 'running' })]);
    assert.equal(first.body.duplicates, 0);
    const again = await s.post<BatchResult>('/api/events/batch', [ev({ event_id: 'e-1' }), ev({ event_id: 'e-1' })]);
    assert.equal(again.body.duplicates, 2);
    assert.deepEqual(again.body.ids, [first.body.ids[0], first.body.ids[0]]);
    const single = await s.post<{ id: number; duplicate: boolean }>('/api/events', ev({ event_id: 'e-1' }));
    assert.equal(single.status, 200);
    assert.equal(single.body.duplicate, true);
    const done = await s.post<BatchResult>('/api/events/batch', [ev({ event_id: 'e-2', status: 'error', duration_ms: 42 })]);
    assert.equal(done.body.duplicates, 0);
    assert.equal(done.body.ids[0], first.body.ids[1]);
    const late = await s.post<BatchResult>('/api/events/batch', [ev({ event_id: 'e-2', status: 'success', duration_ms: 1 })]);
    assert.equal(late.body.duplicates, 1, 'a completed call is not completed twice');
    // A call one channel reported as a success is corrected by a channel that knows it failed,
    // but a failure is never turned back into a success.
    const ok = await s.post<BatchResult>('/api/events/batch', [ev({ event_id: 'e-3', status: 'success' })]);
    const failed = await s.post<BatchResult>('/api/events/batch', [ev({ event_id: 'e-3', status: 'error', metadata: { exit_code: 1 } })]);
    assert.equal(failed.body.duplicates, 0);
    assert.equal(failed.body.ids[0], ok.body.ids[0]);
    const back = await s.post<BatchResult>('/api/events/batch', [ev({ event_id: 'e-3', status: 'success' })]);
    assert.equal(back.body.duplicates, 1);
    const page = await s.get<{ events: { event_id: string; status: string; metadata: { exit_code?: number } }[] }>('/api/events?session_id=sess-1');
    const e3 = page.body.events.find((e) => e.event_id === 'e-3')!;
    assert.equal(e3.status, 'error');
    assert.equal(e3.metadata.exit_code, 1);
    assert.equal(page.body.events.find((e) => e.event_id === 'e-2')!.status, 'error');
    const counts = await s.core.store.query('storeCounts', {});
    assert.equal(counts.events, 3);
  });

  test('oversized and malformed bodies are refused and nothing stored is lost', async () => {
    const s = await startTestServer({ maxBodyBytes: 64 * 1024 });
    await s.post('/api/events', ev({ event_id: 'keep' }));
    const big = await s.post<{ error: string }>('/api/events', ev({ metadata: { blob: 'x'.repeat(100 * 1024) } }));
    assert.equal(big.status, 413);
    assert.match(big.body.error, /limit/);
    const broken = await s.post<{ error: string }>('/api/events', '{"session_id": "s", ');
    assert.equal(broken.status, 400);
    assert.match(broken.body.error, /JSON/);
    const tooMany = await s.post<{ error: string }>('/api/events/batch', Array.from({ length: 5001 }, () => ({})));
    assert.equal(tooMany.status, 413);
    assert.equal((await s.core.store.query('storeCounts', {})).events, 1);
  });

  test('metadata over the cap is truncated and flagged, not refused', async () => {
    const s = await startTestServer({ maxPayloadBytes: 2048 });
    const r = await s.post<{ id: number }>('/api/events', ev({ event_id: 'big', metadata: { output: 'ü'.repeat(10_000), command: 'cat big.txt' } }));
    assert.equal(r.status, 201);
    const rows = await s.core.store.query('storeCounts', {});
    assert.equal(rows.events, 1);
  });
});

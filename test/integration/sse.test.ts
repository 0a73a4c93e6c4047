import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import type { EventInputRaw } from '../../src/core/contracts/events';
import { silentLogger } from '../../src/core/log';
import { SseHub } from '../../src/core/server/sseHub';
import { connectSse, isRefusal, openSse } from '../helpers/sse';
import { startTestServer } from '../helpers/server';

const ev = (over: Partial<EventInputRaw>): EventInputRaw => ({ session_id: 's', agent_type: 'claude-code', event_type: 'tool_use', ...over });

test('SSE delivers events, session updates and stats, with query-string filters', async () => {
  const s = await startTestServer();
  const all = await openSse(`${s.url}/api/stream`);
  const codexTools = await openSse(`${s.url}/api/stream?agent_type=codex&event_type=tool_use`);
  const twoSessions = await openSse(`${s.url}/api/stream?session_id=a&session_id=b,c`);
  for (const c of [all, codexTools, twoSessions]) {
    assert.match(String(c.headers['content-type']), /^text\/event-stream/);
    assert.equal((await c.waitFor('hello')).type, 'hello');
  }
  const events = [
    ev({ session_id: 'a', agent_type: 'codex', tool_name: 'shell' }),
    ev({ session_id: 'b', agent_type: 'claude-code', tool_name: 'Read' }),
    ev({ session_id: 'x', agent_type: 'codex', event_type: 'user_prompt' }),
    ev({ session_id: 'c', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 10, cost_usd: 0.01 }),
    ev({ session_id: 'y', agent_type: 'codex', tool_name: 'apply_patch', metadata: { last: true } }),
  ];
  let posts = 0;
  for (const e of events) {
    assert.equal((await s.post('/api/events', e)).status, 201);
    posts++;
  }
  const isLast = (m: { event: { metadata: Record<string, unknown> | null } }) => m.event.metadata?.last === true;
  await all.waitFor('event', isLast);
  await codexTools.waitFor('event', isLast);
  await twoSessions.waitFor('event', (m) => m.event.session_id === 'c');

  const got = (c: typeof all) => c.messages.flatMap((m) => (m.type === 'event' ? [`${m.event.session_id}:${m.event.event_type}`] : []));
  assert.deepEqual(got(all), ['a:tool_use', 'b:tool_use', 'x:user_prompt', 'c:llm_request', 'y:tool_use']);
  assert.deepEqual(got(codexTools), ['a:tool_use', 'y:tool_use']);
  assert.deepEqual(got(twoSessions), ['a:tool_use', 'b:tool_use', 'c:llm_request']);

  const upd = await all.waitFor('session_update', (m) => m.session.session_id === 'c');
  assert.equal(upd.session.agent_type, 'codex');
  assert.equal(upd.session.cost_usd, 0.01);
  await codexTools.waitFor('session_update', (m) => m.session.session_id === 'y');
  assert.ok(codexTools.messages.every((m) => m.type !== 'session_update' || m.session.agent_type === 'codex'));
  assert.ok(twoSessions.messages.every((m) => m.type !== 'session_update' || ['a', 'b', 'c'].includes(m.session.session_id)));

  const stats = await all.waitFor('stats', (m) => m.stats.total.events === events.length);
  assert.equal(stats.stats.total.cost_usd, 0.01);
  const statsCount = all.messages.filter((m) => m.type === 'stats').length;
  assert.ok(statsCount < posts, `stats are coalesced: ${statsCount} stats messages for ${posts} events`);
  for (const c of [all, codexTools, twoSessions]) c.close();
});

test('SSE heartbeat comments', async () => {
  const s = await startTestServer({ sseHeartbeatMs: 50 });
  const c = await openSse(`${s.url}/api/stream`);
  await c.waitForComment('heartbeat');
  c.close();
});

test('SSE answers 503 past the client limit, and frees the slot when a client leaves', async () => {
  const s = await startTestServer({ maxSseClients: 2 });
  const a = await openSse(`${s.url}/api/stream`);
  const b = await openSse(`${s.url}/api/stream`);
  const refused = await connectSse(`${s.url}/api/stream`);
  assert.ok(isRefusal(refused));
  assert.equal(refused.status, 503);
  assert.match(JSON.parse(refused.body).error, /too many SSE clients \(at most 2\)/);
  const health = await s.get<{ sse_clients: number }>('/api/health');
  assert.equal(health.body.sse_clients, 2);
  a.close();
  let again = await connectSse(`${s.url}/api/stream`);
  for (let i = 0; i < 200 && isRefusal(again); i++) {
    await new Promise((r) => setTimeout(r, 10));
    again = await connectSse(`${s.url}/api/stream`);
  }
  assert.ok(!isRefusal(again), 'a slot frees up once a client disconnects');
  again.close();
  b.close();
});

test('SSE filter parameters are validated', async () => {
  const s = await startTestServer();
  const many = Array.from({ length: 101 }, (_, i) => `s${i}`).join(',');
  const r = await connectSse(`${s.url}/api/stream?session_id=${many}`);
  assert.ok(isRefusal(r));
  assert.equal(r.status, 400);
  assert.equal(JSON.parse(r.body).errors[0].field, 'session_id');
});

async function standaloneHub(t: { after(fn: () => void): void }, opts: { maxBufferedBytes: number; slowCheckMs: number }) {
  const hub = new SseHub({ maxClients: 10, heartbeatMs: 60_000, log: silentLogger, ...opts });
  let attached: express.Response | null = null;
  const app = express();
  app.get('/api/stream', (req, res) => {
    attached = res;
    hub.attach(req, res, {});
  });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    hub.close();
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  /** The server's side of the stream last attached. */
  const lastResponse = (): express.Response => attached ?? assert.fail('no stream attached');
  return { hub, port, url: `http://127.0.0.1:${port}/api/stream`, lastResponse };
}

const payload = 'x'.repeat(32 * 1024);

test('a client that stops reading is dropped; the others get everything', async (t) => {
  const { hub, port, url } = await standaloneHub(t, { maxBufferedBytes: 256 * 1024, slowCheckMs: 20 });
  const fast = await openSse(url);
  await fast.waitFor('hello');

  // A raw client that sends the request and then never reads.
  const slow = net.connect(port, '127.0.0.1');
  await new Promise<void>((r) => slow.once('connect', r));
  slow.write('GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
  slow.pause();
  while (hub.clientCount() < 2) await new Promise((r) => setImmediate(r));

  let sent = 0;
  // Kernel socket buffers absorb some megabytes first; then the hub's buffer for it fills up.
  while (hub.dropped === 0 && sent < 20_000) {
    hub.broadcast({ type: 'data_cleared', at: `${sent}:${payload}` });
    sent++;
    await fast.waitFor('data_cleared', (m) => m.at.startsWith(`${sent - 1}:`));
  }
  assert.equal(hub.dropped, 1, `the slow client was dropped after ${sent} messages`);
  assert.equal(hub.clientCount(), 1);
  hub.broadcast({ type: 'data_cleared', at: 'after' });
  await fast.waitFor('data_cleared', (m) => m.at === 'after');
  assert.equal(fast.messages.filter((m) => m.type === 'data_cleared').length, sent + 1);
  slow.destroy();
  fast.close();
});

test('a burst larger than the soft buffer limit does not drop a client that keeps reading', async (t) => {
  const { hub, url } = await standaloneHub(t, { maxBufferedBytes: 256 * 1024, slowCheckMs: 1000 });
  const c = await openSse(url);
  await c.waitFor('hello');
  for (let i = 0; i < 64; i++) hub.broadcast({ type: 'data_cleared', at: `${i}:${payload}` });
  await c.waitFor('data_cleared', (m) => m.at.startsWith('63:'));
  assert.equal(hub.dropped, 0);
  assert.equal(c.messages.filter((m) => m.type === 'data_cleared').length, 64);
  c.close();
});

// The ingest routes broadcast a batch and then, in a later microtask, answer the POST. The hub
// hands the batch's frames to the socket before that answer: its uncork is a microtask queued by
// the broadcast, not a nextTick (which node runs only once the microtask queue is empty).
test('a broadcast leaves for the socket before the next microtask (before the ingest route answers)', async (t) => {
  const { hub, url, lastResponse } = await standaloneHub(t, { maxBufferedBytes: 256 * 1024, slowCheckMs: 1000 });
  const c = await openSse(url);
  await c.waitFor('hello');
  const res = lastResponse();

  await Promise.resolve(); // run as a route's continuation does: inside the microtask queue
  hub.broadcast({ type: 'data_cleared', at: 'first' });
  hub.broadcast({ type: 'data_cleared', at: 'second' });
  assert.equal(res.writableCorked, 1, 'messages of one synchronous run are held for one socket write');
  await Promise.resolve(); // where the route writes its answer
  assert.equal(res.writableCorked, 0, 'the frames were handed to the socket before the answer');

  await c.waitFor('data_cleared', (m) => m.at === 'second');
  assert.deepEqual(
    c.messages.flatMap((m) => (m.type === 'data_cleared' ? [m.at] : [])),
    ['first', 'second'],
  );
  c.close();
});

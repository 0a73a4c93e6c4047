import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { EventsPage, SessionsPage } from '../../src/core/contracts/api';
import { openSse } from '../helpers/sse';
import { startTestServer } from '../helpers/server';
import { tmpDir } from '../helpers/tmp';

async function del(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url, { method: 'DELETE', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const event = (i: number) => ({ event_id: `clear-${i}`, session_id: 's1', agent_type: 'claude-code', event_type: 'llm_request', model: 'claude-sonnet-4-5', tokens_in: 100, tokens_out: 10, metadata: { i } });

describe('DELETE /api/data', () => {
  it('needs {confirm: true}, clears everything durably, tells live clients, and takes the same events again', async () => {
    const s = await startTestServer();
    const batch = await s.post<{ accepted: number }>('/api/events/batch', { events: [event(1), event(2), event(3)] });
    assert.ok(batch.status < 300, JSON.stringify(batch.body));

    for (const body of [{}, { confirm: 'yes' }, { confirm: true, extra: 1 }]) {
      const r = await del(`${s.url}/api/data`, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.match(String(r.body.error), /confirm|extra/);
    }
    assert.equal((await s.get<EventsPage>('/api/events')).body.events.length, 3, 'a refused clear removes nothing');

    const sse = await openSse(`${s.url}/api/stream`);
    after(() => sse.close());
    const r = await del(`${s.url}/api/data`, { confirm: true });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body, { cleared: true, events: 3 });
    await sse.waitFor('data_cleared');
    assert.equal((await s.get<EventsPage>('/api/events')).body.events.length, 0);
    assert.equal((await s.get<SessionsPage>('/api/sessions')).body.sessions.length, 0);
    assert.equal(fs.existsSync(`${s.dbPath}.bak`), false, 'the backup of the old data is gone too');

    // Restart on the same file: nothing comes back from a snapshot, the journal or the payload file.
    await s.close();
    const again = await startTestServer({ dbPath: s.dbPath });
    assert.equal((await again.get<EventsPage>('/api/events')).body.events.length, 0);
    const re = await again.post<{ accepted: number; duplicates: number }>('/api/events/batch', { events: [event(1)] });
    assert.ok(re.status < 300);
    const page = await again.get<EventsPage>('/api/events');
    assert.equal(page.body.events.length, 1, 'an event id seen before the clear is stored again');
    assert.deepEqual(page.body.events[0].metadata, { i: 1 });
    await again.close();
  });

  it('leaves no copy of the deleted data in any file beside the database: payload files, free pages, backup, journal, temp files', async () => {
    const secret = 'zebra-quartz-7781';
    const s = await startTestServer({}, { dir: tmpDir() });
    const post = (tag: string) =>
      s.post('/api/events/batch', {
        events: Array.from({ length: 50 }, (_, i) => ({ ...event(i), event_id: `${tag}-${i}`, project: `/home/${secret}/p`, metadata: { prompt: `${secret} ${tag} ${i}` } })),
      });
    await post('a');
    await s.core.store.snapshot();
    await post('b');
    await s.core.store.snapshot(); // `<db>.bak` and `<db>` both hold the secret now
    await post('c');
    fs.writeFileSync(`${s.dbPath}.tmp-999999`, secret); // left by a snapshot that was killed
    const dir = path.dirname(s.dbPath);
    const holding = () => fs.readdirSync(dir).filter((f) => fs.statSync(path.join(dir, f)).isFile() && fs.readFileSync(path.join(dir, f)).includes(secret));
    assert.ok(holding().length >= 4, holding().join());

    assert.equal((await del(`${s.url}/api/data`, { confirm: true })).status, 200);
    assert.deepEqual(holding(), [], `files still holding deleted data: ${fs.readdirSync(dir).join(', ')}`);
    await s.post('/api/events/batch', { events: [event(1)] });
    assert.deepEqual((await s.get<EventsPage>('/api/events')).body.events.map((e) => e.metadata), [{ i: 1 }]);
    await s.close();
    assert.deepEqual(holding(), []);
  });

  it('with a token, clearing needs it', async () => {
    const s = await startTestServer({ token: 'sekrit' });
    assert.equal((await del(`${s.url}/api/data`, { confirm: true })).status, 401);
    assert.equal((await del(`${s.url}/api/data`, { confirm: true }, { authorization: 'Bearer sekrit' })).status, 200);
    await s.close();
  });
});

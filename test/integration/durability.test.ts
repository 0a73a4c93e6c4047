/**
 * Nothing acknowledged is ever lost: kill -9 right after acknowledgements, a corrupt database
 * file, a torn journal line.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { openCore } from '../../src/core/runtime';
import { spawnServe } from '../helpers/serveProcess';
import { tmpDir } from '../helpers/tmp';
import { waitFor } from '../helpers/hookFixtures';
import type { Health } from '../../src/core/contracts/api';

async function postBatch(url: string, n: number, prefix: string, withIds: boolean): Promise<number> {
  const events = Array.from({ length: n }, (_, i) => ({
    session_id: `${prefix}-s${i % 3}`,
    agent_type: 'claude-code',
    event_type: 'llm_request',
    model: 'claude-sonnet-4-5',
    tokens_in: 100 + i,
    tokens_out: 10,
    ...(withIds ? { event_id: `${prefix}-${i}` } : {}),
    metadata: { i, text: 'lorem ipsum '.repeat(20) },
  }));
  const r = await fetch(`${url}/api/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
  assert.equal(r.status, 201);
  const body = (await r.json()) as { ids: number[] };
  return body.ids.filter((x) => x !== null).length;
}

/** Wait until a snapshot holds everything journaled so far (the server snapshots every 0.2 s here). */
async function snapshotted(url: string): Promise<void> {
  const health = async () => (await (await fetch(`${url}/api/health`)).json()) as Health;
  const { journal_seq } = await health();
  await waitFor(`a snapshot covering journal batch ${journal_seq}`, async () => ((await health()).last_snapshot?.seq ?? -1) >= journal_seq);
}

async function countStored(dbPath: string): Promise<{ events: number; tokens_in: number }> {
  const core = await openCore({ config: loadConfig({}, { dbPath, snapshotIntervalS: 3600 }), log: silentLogger });
  try {
    const counts = await core.store.query('storeCounts', {});
    const sums = await core.store.query('sessionTotalsForTest' as never, {} as never).catch(() => null);
    void sums;
    return { events: counts.events, tokens_in: 0 };
  } finally {
    await core.close();
  }
}

describe('durability', () => {
  test('kill -9 right after N acknowledged events: a restart still has all N', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const p = await spawnServe(dbPath, [], { AGENTMONITOR_SNAPSHOT_INTERVAL_S: '3600' });
    let acked = 0;
    for (let b = 0; b < 10; b++) acked += await postBatch(p.url, 200, `a${b}`, b % 2 === 0);
    const single = await fetch(`${p.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: 'last', agent_type: 'codex', event_type: 'user_prompt' }),
    });
    assert.equal(single.status, 201);
    acked++;
    p.child.kill('SIGKILL');
    await p.exited;
    assert.equal((await countStored(dbPath)).events, acked);

    // A second life: more events, another kill, still everything.
    const p2 = await spawnServe(dbPath, [], { AGENTMONITOR_SNAPSHOT_INTERVAL_S: '3600' });
    acked += await postBatch(p2.url, 300, 'b', true);
    // Re-sending already stored ids adds nothing.
    await postBatch(p2.url, 200, 'a0', true);
    p2.child.kill('SIGKILL');
    await p2.exited;
    assert.equal((await countStored(dbPath)).events, acked);
  });

  test('SIGTERM flushes a snapshot and leaves no lock behind', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const p = await spawnServe(dbPath);
    assert.ok(fs.existsSync(`${dbPath}.lock`));
    const n = await postBatch(p.url, 50, 't', false);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    assert.ok(!fs.existsSync(`${dbPath}.lock`));
    assert.equal((await countStored(dbPath)).events, n);
  });

  test('a corrupt database file is moved aside and rebuilt from backup + journal', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const p = await spawnServe(dbPath, [], { AGENTMONITOR_SNAPSHOT_INTERVAL_S: '0.2' });
    let acked = await postBatch(p.url, 100, 'c1', true);
    await snapshotted(p.url);
    acked += await postBatch(p.url, 100, 'c2', true);
    await snapshotted(p.url); // the next one keeps the first as .bak
    acked += await postBatch(p.url, 100, 'c3', false);
    p.child.kill('SIGKILL');
    await p.exited;
    // Scribble over the middle of the snapshot.
    const buf = fs.readFileSync(dbPath);
    buf.fill(0x5a, 0, Math.min(buf.length, 4096));
    fs.writeFileSync(dbPath, buf);

    const p2 = await spawnServe(dbPath);
    const health = await fetch(`${p2.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_id: 'after', agent_type: 'codex', event_type: 'session_start' }) });
    assert.equal(health.status, 201);
    acked++;
    p2.child.kill('SIGTERM');
    await p2.exited;
    assert.match(p2.output(), /unreadable/);
    const moved = fs.readdirSync(dir).filter((f) => f.includes('.corrupt-'));
    assert.equal(moved.length, 1, 'the corrupt file is kept for inspection');
    assert.equal((await countStored(dbPath)).events, acked);
  });

  test('a snapshot digest lets a start skip the integrity check; damage inside the file is still found', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const p = await spawnServe(dbPath, [], { AGENTMONITOR_SNAPSHOT_INTERVAL_S: '0.2' });
    let acked = await postBatch(p.url, 300, 'd1', true);
    await snapshotted(p.url); // the next one keeps it as .bak
    acked += await postBatch(p.url, 300, 'd2', true);
    p.child.kill('SIGTERM');
    await p.exited;
    const sumText = fs.readFileSync(`${dbPath}.sum`, 'utf8');
    const sum = JSON.parse(sumText) as { bytes: number };
    assert.equal(sum.bytes, fs.statSync(dbPath).size, 'the digest describes the snapshot beside it');
    assert.ok(fs.existsSync(`${dbPath}.bak.sum`), 'the previous snapshot keeps its digest');

    const integrity = async () => {
      const core = await openCore({ config: loadConfig({}, { dbPath, snapshotIntervalS: 3600 }), log: silentLogger });
      const open = core.store.stats.open!;
      const { events } = await core.store.query('storeCounts', {});
      await core.close();
      return { integrity: open.integrity, events, corrupt: open.corruptMovedTo !== null };
    };
    assert.deepEqual(await integrity(), { integrity: 'digest', events: acked, corrupt: false });
    fs.rmSync(`${dbPath}.sum`);
    assert.deepEqual(await integrity(), { integrity: 'checked', events: acked, corrupt: false }, 'no digest: SQLite checks the file');

    // Damage pages in the middle (the header is intact), with the digest of the good file beside it.
    fs.writeFileSync(`${dbPath}.sum`, sumText);
    const bad = fs.readFileSync(dbPath);
    assert.equal(bad.length, sum.bytes, 'the file is the one the digest describes');
    const mid = Math.floor(bad.length / 2 / 4096) * 4096;
    bad.fill(0x5a, mid, Math.min(bad.length, mid + 8 * 4096));
    fs.writeFileSync(dbPath, bad);
    const after = await integrity();
    assert.equal(after.corrupt, true, 'the damaged file is found, not trusted');
    assert.equal(after.events, acked, 'and rebuilt from the backup and the journal');
  });

  test('a torn last journal line is skipped with a clear message; the rest is replayed', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const p = await spawnServe(dbPath, [], { AGENTMONITOR_SNAPSHOT_INTERVAL_S: '3600' });
    const acked = await postBatch(p.url, 120, 'j', true);
    p.child.kill('SIGKILL');
    await p.exited;
    const segs = fs.readdirSync(dir).filter((f) => f.startsWith('am.db.journal-')).sort();
    const last = path.join(dir, segs[segs.length - 1]);
    fs.appendFileSync(last, '{"s": 999, "r": [{"id": 5, "session_');
    const p2 = await spawnServe(dbPath);
    p2.child.kill('SIGTERM');
    await p2.exited;
    assert.match(p2.output(), /torn last line/);
    assert.equal((await countStored(dbPath)).events, acked);
  });

  test('a second server on the same database is refused', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const p = await spawnServe(dbPath);
    await assert.rejects(spawnServe(dbPath), /owned by another AgentMonitor server/);
    p.child.kill('SIGTERM');
    await p.exited;
  });
});

/**
 * Faults that used to lose acknowledged events: a crash inside a snapshot, a snapshot file that is
 * gone, a hook killed right after its answer, a full disk. Real server processes, real files, kill -9.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { openCore } from '../../src/core/runtime';
import { spawnServe, type ServeProcess } from '../helpers/serveProcess';
import { waitFor } from '../helpers/hookFixtures';
import { tmpDir } from '../helpers/tmp';

const HOUR = { AGENTMONITOR_SNAPSHOT_INTERVAL_S: '3600' };

function events(n: number, prefix: string, withIds: boolean): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    session_id: `${prefix}-s${i % 3}`,
    agent_type: 'claude-code',
    event_type: 'llm_request',
    model: 'claude-sonnet-4-5',
    tokens_in: 100 + i,
    ...(withIds ? { event_id: `${prefix}-${i}` } : {}),
    // Text that deflates poorly: a batch's payload block must not fit in a full disk's last page.
    metadata: { tag: `${prefix}-${i}`, text: createHash('sha512').update(`${prefix}-${i}`).digest('base64') + createHash('sha512').update(`${prefix}+${i}`).digest('base64') + createHash('sha512').update(`${prefix}*${i}`).digest('base64') },
  }));
}

async function post(url: string, route: string, body: unknown): Promise<Response> {
  return fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Posts a batch; the number of events acknowledged (0 when refused). */
async function postBatch(url: string, n: number, prefix: string, withIds = false): Promise<number> {
  const r = await post(url, '/api/events/batch', events(n, prefix, withIds));
  if (r.status !== 201) return 0;
  return ((await r.json()) as { ids: (number | null)[] }).ids.filter((x) => x !== null).length;
}

async function stored(dbPath: string): Promise<{ events: number; tags: Map<number, string | null> }> {
  const core = await openCore({ config: loadConfig({}, { dbPath, snapshotIntervalS: 3600 }), log: silentLogger });
  try {
    const { events: n } = await core.store.query('storeCounts', {});
    const tags = new Map<number, string | null>();
    let before: number | null = null;
    for (;;) {
      const page: { events: { id: number; metadata: Record<string, unknown> | null }[]; next_cursor: string | null } = await core.store.query('listEvents', { filter: {}, before_id: before, limit: 1000 });
      for (const e of page.events) tags.set(e.id, typeof e.metadata?.tag === 'string' ? e.metadata.tag : null);
      if (!page.next_cursor || !page.events.length) break;
      before = page.events[page.events.length - 1].id;
    }
    return { events: n, tags };
  } finally {
    await core.close();
  }
}

async function health2(url: string): Promise<number> {
  return ((await (await fetch(`${url}/api/health`)).json()) as { events: number }).events;
}

async function stop(p: ServeProcess, signal: NodeJS.Signals): Promise<void> {
  p.child.kill(signal);
  await p.exited;
}

describe('durability under faults', () => {
  test('a snapshot file that is missing or empty is restored from the backup and the journal', async () => {
    for (const damage of ['missing', 'empty'] as const) {
      const dir = tmpDir();
      const dbPath = path.join(dir, 'am.db');
      // Two lives, each ending in a snapshot: the second keeps the first as .bak and prunes the
      // journal the first covers, so only .bak holds the first life's events.
      let acked = 0;
      const p1 = await spawnServe(dbPath, [], HOUR);
      acked += await postBatch(p1.url, 150, `${damage}1`);
      await stop(p1, 'SIGTERM');
      const p2 = await spawnServe(dbPath, [], HOUR);
      acked += await postBatch(p2.url, 150, `${damage}2`);
      await stop(p2, 'SIGTERM');
      const p3 = await spawnServe(dbPath, [], HOUR);
      acked += await postBatch(p3.url, 150, `${damage}3`);
      await stop(p3, 'SIGKILL');
      assert.ok(fs.existsSync(`${dbPath}.bak`));

      // What a crash between the old snapshot's two renames left (db -> .bak done, tmp -> db not).
      if (damage === 'missing') fs.renameSync(dbPath, `${dbPath}.tmp-99999`);
      else fs.truncateSync(dbPath, 0);
      const p4 = await spawnServe(dbPath, [], HOUR);
      await stop(p4, 'SIGTERM');
      assert.equal((await stored(dbPath)).events, acked, `${damage} db: every acknowledged event is back`);
      assert.match(p4.output(), /missing or empty; restored the previous snapshot/);
      if (damage === 'missing') assert.match(p4.output(), /removed .*am\.db\.tmp-99999/);
      assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp-')), [], 'no temp file is left');
    }
  });

  test('kill -9 at each step of a snapshot loses nothing acknowledged', async () => {
    for (const point of ['snapshot-before-rename', 'snapshot-after-rename']) {
      const dir = tmpDir();
      const dbPath = path.join(dir, 'am.db');
      // Two lives ending in snapshots: the journal the first covers is pruned, so the first
      // life's events are only in the snapshot files.
      let acked = 0;
      for (const life of ['first', 'second']) {
        const p1 = await spawnServe(dbPath, [], HOUR);
        acked += await postBatch(p1.url, 200, life);
        await stop(p1, 'SIGTERM');
      }
      // This life's first snapshot after a write kills the process at `point`.
      const p2 = await spawnServe(dbPath, [], { AGENTMONITOR_SNAPSHOT_INTERVAL_S: '0.05', AGENTMONITOR_FAILPOINT: point });
      acked += await postBatch(p2.url, 200, 'third');
      const code = await p2.exited;
      assert.equal(p2.child.signalCode ?? code, 'SIGKILL', `the process died at ${point}`);
      const p3 = await spawnServe(dbPath, [], HOUR);
      await stop(p3, 'SIGTERM');
      assert.equal((await stored(dbPath)).events, acked, `crash at ${point}: every acknowledged event is there`);
    }
  });

  test('a hook killed right after its answer is in the journal (Codex prompt numbering and Claude hooks)', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'am.db');
    const hooks = [
      ['codex', { session_id: 'cx-1', hook_event_name: 'UserPromptSubmit', turn_id: 'turn-a', prompt: 'fix the bug', cwd: dir }],
      ['claude-code', { session_id: 'cc-1', hook_event_name: 'UserPromptSubmit', prompt: 'hello', cwd: dir }],
    ] as const;
    let answered = 0;
    for (const [agent, payload] of hooks) {
      // The server kills itself the moment the answer has been handed to the socket.
      const p = await spawnServe(dbPath, [], { ...HOUR, AGENTMONITOR_FAILPOINT: 'hook-answered' });
      const r = await post(p.url, `/api/hooks/${agent}`, payload);
      assert.equal(r.status, 200);
      answered++;
      await p.exited;
      assert.equal(p.child.signalCode, 'SIGKILL');
    }
    const p = await spawnServe(dbPath, [], HOUR);
    const list = (await (await fetch(`${p.url}/api/events?event_type=user_prompt`)).json()) as { events: { session_id: string; event_id: string | null }[] };
    await stop(p, 'SIGTERM');
    assert.equal(list.events.length, answered, 'every answered hook was stored');
    const codex = list.events.find((e) => e.session_id === 'cx-1');
    assert.equal(codex?.event_id, 'prompt:codex:cx-1:1', 'the Codex prompt got its turn ordinal in the store');
  });

  test('a SIGTERM sent the moment the server says it listens is handled: a flush and exit 0, every time', async () => {
    const dbPath = path.join(tmpDir(), 'am.db');
    for (let i = 0; i < 6; i++) {
      const p = await spawnServe(dbPath, [], HOUR);
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0, `start ${i + 1} died of the signal instead of stopping:\n${p.output()}`);
    }
  });

  describe('a full disk', () => {
    /** A small real tmpfs of its own for one test (unmounted after it), or null without root. */
    const tmpfs = (t: { after: (fn: () => void) => void }): string => {
      const mnt = tmpDir('agentmonitor-tmpfs-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { stdio: 'ignore' });
      t.after(() => execFileSync('umount', ['-l', mnt]));
      return mnt;
    };
    let mounted = false;
    try {
      const probe = tmpDir('agentmonitor-tmpfs-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe]);
      mounted = true;
    } catch {
      /* not root: skipped below */
    }

    test('refuses with 507 naming the disk, glues no torn line, loses nothing acknowledged', { skip: !mounted && 'mounting a tmpfs needs root' }, async (t) => {
      const mnt = tmpfs(t);
      const dbPath = path.join(mnt, 'am.db');
      const p = await spawnServe(dbPath, [], HOUR);
      t.after(() => p.child.kill('SIGKILL'));
      let acked = await postBatch(p.url, 100, 'before');
      // Fill what is left with a file, then give back a little: the next batches run out of room
      // in the middle of a journal line.
      const filler = path.join(mnt, 'filler');
      const fd = fs.openSync(filler, 'w');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) fs.writeSync(fd, block);
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      fs.ftruncateSync(fd, fs.fstatSync(fd).size - 48 * 1024);
      let refused: Response | null = null;
      for (let i = 0; i < 50 && !refused; i++) {
        const r = await post(p.url, '/api/events/batch', events(40, `fill${i}`, false));
        if (r.status === 201) acked += ((await r.json()) as { ids: unknown[] }).ids.length;
        else refused = r;
      }
      assert.ok(refused, 'the disk filled up');
      assert.equal(refused.status, 507);
      assert.match(((await refused.json()) as { error: string }).error, /disk full.*journal/);
      // The refused batch's torn part was cut, which freed room: fill it, then a hook must be refused.
      // The store worker, short of room for payloads, retries and cuts back its own writes meanwhile
      // and can free a page or two: a hook that finds room is journaled (and counted), and the disk
      // is filled again until one is refused.
      let hookRefused: Response | null = null;
      for (let i = 0; i < 20 && !hookRefused; i++) {
        try {
          for (;;) fs.writeSync(fd, Buffer.alloc(512, 1));
        } catch (e) {
          assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
        }
        const hook = await post(p.url, '/api/hooks/claude-code', { session_id: 'h', hook_event_name: 'UserPromptSubmit', prompt: 'x'.repeat(16_000), cwd: mnt });
        if (hook.status === 200) acked += 1;
        else hookRefused = hook;
      }
      assert.equal(hookRefused?.status, 507, 'a hook is not acknowledged either');

      // Room again: writes are taken, and none is glued to the torn line.
      fs.closeSync(fd);
      fs.rmSync(filler);
      acked += await postBatch(p.url, 100, 'after');
      await stop(p, 'SIGKILL');

      const p2 = await spawnServe(dbPath, [], HOUR);
      await stop(p2, 'SIGTERM');
      assert.doesNotMatch(p2.output(), /skipped/, 'no journal line is damaged');
      const s = await stored(dbPath);
      assert.equal(s.events, acked, 'every acknowledged event is there, and no refused one');
    });

    test('journaled events the database could not take are retried, and no snapshot covers them before', { skip: !mounted && 'mounting a tmpfs needs root' }, async (t) => {
      // The journal has room, the payload file (on the small tmpfs) does not: the worker's insert
      // fails after the events were journaled and acknowledged.
      const mnt = tmpfs(t);
      const dir = tmpDir();
      const dbPath = path.join(dir, 'am.db');
      const payloads = path.join(mnt, 'payloads-of-am');
      fs.writeFileSync(payloads, '');
      fs.symlinkSync(payloads, `${dbPath}.payloads`);
      const p = await spawnServe(dbPath, [], HOUR);
      t.after(() => p.child.kill('SIGKILL'));
      let acked = await postBatch(p.url, 50, 'room');
      await waitFor('the first batch to be stored', async () => (await health2(p.url)) === 50);
      const filler = path.join(mnt, 'filler2');
      const fd = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1));
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      fs.closeSync(fd);
      acked += await postBatch(p.url, 50, 'noroom');
      assert.equal(acked, 100, 'acknowledged once journaled');
      const withIds = await post(p.url, '/api/events/batch', events(20, 'noroom-ids', true));
      assert.equal(withIds.status, 507, 'events that wait for the store learn the disk is full');
      assert.match(((await withIds.json()) as { error: string }).error, /disk full.*journaled/);
      const health = async () => ((await (await fetch(`${p.url}/api/health`)).json()) as { events: number }).events;
      assert.equal(await health(), 50, 'the database holds what it could take');

      // A clean stop cannot snapshot past the batches that wait: they stay in the journal.
      await stop(p, 'SIGTERM');
      assert.match(p.output(), /journaled events could not be applied; they stay in the journal/);
      fs.rmSync(filler);
      const p2 = await spawnServe(dbPath, [], HOUR);
      t.after(() => p2.child.kill('SIGKILL'));
      assert.equal(await health2(p2.url), 120, 'after the restart every journaled event is there');

      // And while running: once there is room again, the waiting batch is applied.
      const fd2 = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(fd2, Buffer.alloc(4096, 1));
      } catch {
        /* full */
      }
      assert.equal(await postBatch(p2.url, 30, 'later'), 30);
      fs.closeSync(fd2);
      fs.rmSync(filler);
      await waitFor('the failed batch to be applied', async () => (await health2(p2.url)) === 150);
      await stop(p2, 'SIGKILL');
      const s = await stored(dbPath);
      assert.equal(s.events, 150);
      for (const [id, tag] of s.tags) assert.ok(tag !== null, `event ${id} has its metadata`);
    });
  });
});

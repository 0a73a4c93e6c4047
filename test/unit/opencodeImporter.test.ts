/**
 * OpenCode's database as the real opencode 1.18.33 wrote it (test/fixtures/opencode: two runs
 * against the fake Chat Completions API, the second a fork of the first; most of it in the WAL):
 * the WAL is applied as SQLite would, each call's tokens are exactly what the fake answered, a
 * fork's copies count once, a sub-agent's events belong to its root session, tool calls carry
 * their outcome, and a second pass from the saved watermark reads nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { EventInputRaw } from '../../src/core/contracts/events';
import { isOpencodeDb, readOpencodeDb, type OpencodeState } from '../../src/core/importers/opencode';
import { applyWal, readSqliteCopy } from '../../src/core/importers/sqliteCopy';
import { loadPatchedSqlJs, sqlJsDistFile } from '../../src/core/store/sqlJsRuntime';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'opencode');

/** The fake's answers (prompt, completion, cached, reasoning), in call order; see the fixture's README. */
const MAIN = [[2400, 60, 1024, 11], [2453, 69, 1152, 14], [2506, 78, 1280, 17], [2559, 87, 1408, 20]];
const SUB = [2930, 150, 2304, 41];
const FORK = [2559, 87, 1408, 20];

export function copyFixture(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['opencode.db', 'opencode.db-wal']) fs.writeFileSync(path.join(dir, f), zlib.gunzipSync(fs.readFileSync(path.join(FIXTURE, `${f}.gz`))));
  return path.join(dir, 'opencode.db');
}

async function count(bytes: Uint8Array, sql: string): Promise<unknown> {
  const wasm = fs.readFileSync(sqlJsDistFile('sql-wasm.wasm'));
  const SQL = await loadPatchedSqlJs()({ wasmBinary: wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer });
  const db = new SQL.Database(bytes);
  try {
    return db.exec(sql)[0]?.values[0]?.[0];
  } finally {
    db.close();
  }
}

async function readAll(file: string, state: OpencodeState | null = null): Promise<{ events: EventInputRaw[]; state: OpencodeState }> {
  const events: EventInputRaw[] = [];
  const res = await readOpencodeDb(file, state, 3, async (e) => {
    events.push(...e);
  });
  return { events, state: res.state };
}

describe('OpenCode database', () => {
  let dir: string;
  let db: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-opencode-'));
    db = copyFixture(dir);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names its database files', () => {
    assert.ok(isOpencodeDb('/h/.local/share/opencode/opencode.db'));
    assert.ok(isOpencodeDb('/h/.local/share/opencode/opencode-beta.db'));
    assert.ok(!isOpencodeDb('/h/.local/share/opencode/opencode.db-wal'));
    assert.ok(!isOpencodeDb('/h/.local/share/opencode/other.db'));
  });

  it('the copy holds the WAL\'s commits (the file alone lacks the fork)', async () => {
    const copy = readSqliteCopy(db);
    assert.ok(copy.walFrames > 0);
    assert.equal(await count(copy.bytes, 'PRAGMA integrity_check'), 'ok');
    assert.equal(await count(copy.bytes, 'SELECT COUNT(*) FROM session'), 3);
    assert.equal(await count(copy.bytes, 'SELECT COUNT(*) FROM message'), 14);
    const fileOnly = applyWal(fs.readFileSync(db), null).bytes;
    assert.equal(await count(fileOnly, 'SELECT COUNT(*) FROM session'), 2);
  });

  it('a WAL cut inside a frame, or with a damaged frame, is applied up to the commit before', async () => {
    const file = fs.readFileSync(db);
    const wal = fs.readFileSync(`${db}-wal`);
    const full = applyWal(file, wal);
    const pageSize = wal.readUInt32BE(8);
    const frame = 24 + pageSize;
    // Keep about a third of the frames, the last one torn.
    const cut = 32 + Math.floor(full.frames / 3) * frame + 100;
    const torn = applyWal(file, wal.subarray(0, cut));
    assert.ok(torn.frames > 0 && torn.frames < full.frames, `${torn.frames} of ${full.frames}`);
    assert.equal(await count(torn.bytes, 'PRAGMA integrity_check'), 'ok');
    const damaged = Buffer.from(wal);
    damaged[32 + Math.floor(full.frames / 3) * frame + 24 + 10] ^= 0xff;
    const d = applyWal(file, damaged);
    assert.equal(d.frames, torn.frames, 'stops at the same commit');
    assert.equal(await count(d.bytes, 'PRAGMA integrity_check'), 'ok');
  });

  it('each call once with exactly the tokens the fake answered; fork copies count once', async () => {
    const { events } = await readAll(db);
    const llm = events.filter((e) => e.event_type === 'llm_request');
    const ids = new Set(events.map((e) => e.event_id));
    const calls = llm.filter((e, i) => llm.findIndex((x) => x.event_id === e.event_id) === i);
    assert.equal(calls.length, 6, 'four main calls, the sub-agent\'s, the fork\'s own');
    const tokens = (u: number[]) => [u[0] - u[2], u[2], u[1], u[3]];
    const got = calls.map((e) => [e.tokens_in, e.cache_read_tokens, e.tokens_out, e.reasoning_tokens]);
    assert.deepEqual(got.sort(), [...MAIN, SUB, FORK].map(tokens).sort());
    assert.ok(ids.size < events.length, 'the fork\'s copies are read with the ids of their originals');
    for (const e of calls) {
      assert.equal(e.model, 'gpt-5');
      assert.equal(e.cost_usd, undefined, 'priced by us');
      const own = (e.metadata as { agent_cost_usd?: number }).agent_cost_usd!;
      const [p, c, k, r] = [e.tokens_in!, e.tokens_out!, e.cache_read_tokens!, e.reasoning_tokens!];
      assert.ok(Math.abs(own - (p * 1.25 + (c - r) * 10 + k * 0.125 + r * 10) / 1e6) < 1e-12, 'OpenCode\'s own figure kept beside');
    }
  });

  it('the sub-agent belongs to its root session; tools carry their outcome; prompts and answers', async () => {
    const { events } = await readAll(db);
    const main = events.find((e) => e.event_type === 'session_start' && (e.metadata as { title?: string }).title === 'probe')!;
    const sid = main.session_id;
    assert.equal(main.project, '/tmp/ocprobe2/proj');
    const sub = events.find((e) => e.event_type === 'subagent_start')!;
    assert.equal(sub.session_id, sid);
    const agentId = (sub.metadata as { agent_id: string }).agent_id;
    const subCall = events.find((e) => e.event_type === 'llm_request' && e.tokens_in === SUB[0] - SUB[2])!;
    assert.equal(subCall.session_id, sid);
    assert.equal((subCall.metadata as { agent_id?: string }).agent_id, agentId);
    // The first event of an id is the one stored: the original's, read before the fork's copy.
    const tools = new Map<string, unknown[]>();
    for (const e of events) if (e.event_type === 'tool_use' && !tools.has(e.event_id!)) tools.set(e.event_id!, [e.tool_name, e.status, e.session_id]);
    assert.deepEqual([...tools.values()].sort(), [['bash', 'success', sid], ['read', 'error', sid], ['task', 'success', sid]]);
    const prompts = new Set(events.filter((e) => e.event_type === 'user_prompt').map((e) => `${(e.metadata as { prompt: string }).prompt}`));
    // `opencode run` stores its message words quoted.
    assert.deepEqual([...prompts].sort(), ['"and now?"', '"list the files"'], 'the sub-agent\'s task prompt is not the user\'s');
    assert.ok(events.some((e) => e.event_type === 'response' && (e.metadata as { text: string }).text === 'The project contains README.md and src/main.py.'));
  });

  it('a second pass from the saved watermark reads nothing', async () => {
    const first = await readAll(db);
    const second = await readAll(db, first.state);
    assert.deepEqual(second.events, []);
  });
});

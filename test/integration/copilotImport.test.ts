/**
 * Importing Copilot CLI sessions into a real store (sql.js file in a temp folder): the session the
 * real CLI wrote (test/fixtures/copilot-cli, resumed once: two cumulative shutdowns) appears with
 * exactly its tokens, priced from our Claude table under its dotted name, its tool call once, and a
 * second import adds nothing. The same run's `session-store.db` (gzipped; its cwd rewritten to
 * /home/dev/proj) repeats the calls: read beside the log, or before it, it adds nothing; alone
 * (the session's folder gone) it gives the same totals.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { priceBook } from '../../src/core/pricing/priceTables';
import { runImport } from '../../src/core/importers/importRunner';
import { bySession, openTestCore, scratchDir } from './importHelpers';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'copilot-cli', 'copilot-home');
const SID = '3f47e0f9-b021-4e70-8c71-bb39a40d860f';

function unpackStore(home: string): void {
  fs.writeFileSync(path.join(home, 'session-store.db'), zlib.gunzipSync(fs.readFileSync(path.join(FIXTURE, 'session-store.db.gz'))));
}

const totals = (s: { tokens_in: number; cache_read_tokens: number; cache_write_tokens: number; tokens_out: number; requests: number }) =>
  [s.tokens_in, s.cache_read_tokens, s.cache_write_tokens, s.tokens_out, s.requests];

describe('import of Copilot CLI sessions', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let home: string;
  before(async () => {
    core = await openTestCore();
    home = path.join(scratchDir(), '.copilot');
    fs.cpSync(FIXTURE, home, { recursive: true });
    unpackStore(home);
  });
  after(() => core.close());

  const importOnce = () => runImport({ store: core.store, ingest: core.ingest }, { importId: 't', claudeDirs: [], codexDirs: [], copilotDirs: [home] });

  it('stores the session with its exact tokens, priced, its tool call once (the log and the session store: counted once)', async () => {
    const summary = await importOnce();
    assert.equal(summary.files, 2, 'events.jsonl and session-store.db');
    assert.equal(summary.skipped_lines, 0, JSON.stringify(summary.skipped));
    const s = (await bySession(core))[SID];
    assert.ok(s, 'the session is there');
    // Three calls: fresh input 101+102+103, cache read 4001+4002+4003, written 301+302+303, output 21+22+23.
    assert.deepEqual([s.tokens_in, s.cache_read_tokens, s.cache_write_tokens, s.tokens_out, s.requests], [306, 12006, 906, 66, 3]);
    const price = priceBook().resolve('claude-sonnet-4-6')?.price;
    assert.ok(price?.cache_read && price.cache_write_5m, 'claude-sonnet-4-6 is in the price table');
    const expected = (306 * price.input + 12006 * price.cache_read + 906 * price.cache_write_5m + 66 * price.output) / 1e6;
    assert.ok(Math.abs(s.cost_usd - expected) < 1e-9, `${s.cost_usd} vs ${expected}`);
    const sessions = await core.store.query('sessionsByIds', { now: Date.now(), idleMs: 60_000, endMs: 3_600_000, ids: [SID] });
    assert.equal(sessions[0]?.agent_type, 'copilot-cli');
    assert.equal(sessions[0]?.project, '/home/dev/proj');
    const { tools } = await core.store.query('toolStats', { filter: {}, bucket: 'day', tz: 'UTC' });
    assert.deepEqual(tools.map((t) => [t.tool_name, t.calls, t.errors, t.running]), [['bash', 1, 0, 0]]);
  });

  it('a second import reads nothing new and adds nothing', async () => {
    const again = await importOnce();
    assert.equal(again.events, 0);
    assert.equal(again.files_skipped_unchanged, 2);
    const s = (await bySession(core))[SID];
    assert.equal(s.requests, 3);
  });
});

describe("Copilot CLI's session store without the session's log, then with it", () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let home: string;
  before(async () => {
    core = await openTestCore();
    home = path.join(scratchDir(), '.copilot');
    fs.mkdirSync(home, { recursive: true });
    unpackStore(home);
  });
  after(() => core.close());

  const importOnce = () => runImport({ store: core.store, ingest: core.ingest }, { importId: 't', claudeDirs: [], codexDirs: [], copilotDirs: [home] });

  it('an import of another folder\'s sessions leaves the store alone', async () => {
    const summary = await runImport({ store: core.store, ingest: core.ingest }, { importId: 't', claudeDirs: [], codexDirs: [], copilotDirs: [home], cwdFilter: ['/elsewhere'] });
    assert.equal(summary.files, 0);
    assert.equal((await bySession(core))[SID], undefined);
  });

  it('the store alone gives the session, its project and its exact tokens', async () => {
    const summary = await importOnce();
    assert.equal(summary.files, 1);
    assert.equal(summary.skipped_lines, 0, JSON.stringify(summary.skipped));
    const s = (await bySession(core))[SID];
    assert.deepEqual(totals(s), [306, 12006, 906, 66, 3]);
    const sessions = await core.store.query('sessionsByIds', { now: Date.now(), idleMs: 60_000, endMs: 3_600_000, ids: [SID] });
    assert.equal(sessions[0]?.agent_type, 'copilot-cli');
    assert.equal(sessions[0]?.project, '/home/dev/proj');
  });

  it('the log read afterwards replaces the store\'s calls: the same totals, each call once', async () => {
    fs.cpSync(path.join(FIXTURE, 'session-state'), path.join(home, 'session-state'), { recursive: true });
    const summary = await importOnce();
    assert.equal(summary.files, 2);
    const s = (await bySession(core))[SID];
    assert.deepEqual(totals(s), [306, 12006, 906, 66, 3]);
  });
});

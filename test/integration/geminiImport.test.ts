/**
 * Importing Gemini CLI chats into a real store (sql.js file in a temp folder): the session the real
 * CLI wrote (test/fixtures/gemini-cli) appears with exactly its tokens, priced from our Gemini table,
 * and a second import adds nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { priceBook } from '../../src/core/pricing/priceTables';
import { runImport } from '../../src/core/importers/importRunner';
import { bySession, openTestCore, scratchDir } from './importHelpers';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'gemini-cli', 'gemini-home');
const SID = '9f58b443-7941-4f93-8707-b6f6173d8cdc';

describe('import of Gemini CLI chats', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let home: string;
  before(async () => {
    core = await openTestCore();
    home = path.join(scratchDir(), '.gemini');
    fs.cpSync(FIXTURE, home, { recursive: true });
  });
  after(() => core.close());

  const importOnce = () => runImport({ store: core.store, ingest: core.ingest }, { importId: 't', claudeDirs: [], codexDirs: [], geminiDirs: [home] });

  it('stores the session with its exact tokens, priced, its tool call once', async () => {
    const summary = await importOnce();
    assert.equal(summary.files, 1);
    assert.equal(summary.skipped_lines, 0, JSON.stringify(summary.skipped));
    const s = (await bySession(core))[SID];
    assert.ok(s, 'the session is there');
    // Two responses: input 1006 + 1007 (300 cached each), output 26 + 27, thoughts 7 + 7.
    assert.deepEqual([s.tokens_in, s.cache_read_tokens, s.tokens_out, s.requests], [1006 + 1007 - 600, 600, 26 + 27 + 14, 2]);
    const price = priceBook().resolve('gemini-3.1-pro-preview')?.price;
    assert.ok(price?.cache_read, 'gemini-3.1-pro-preview is in the price table');
    const expected = ((1006 + 1007 - 600) * price.input + 600 * price.cache_read! + (26 + 27 + 14) * price.output) / 1e6;
    assert.ok(Math.abs(s.cost_usd - expected) < 1e-9, `${s.cost_usd} vs ${expected}`);
    const sessions = await core.store.query('sessionsByIds', { now: Date.now(), idleMs: 60_000, endMs: 3_600_000, ids: [SID] });
    assert.equal(sessions[0]?.agent_type, 'gemini-cli');
    assert.equal(sessions[0]?.project, '/home/dev/proj');
    const { tools } = await core.store.query('toolStats', { filter: {}, bucket: 'day', tz: 'UTC' });
    assert.deepEqual(tools.map((t) => [t.tool_name, t.calls, t.errors, t.running]), [['list_directory', 1, 0, 0]]);
  });

  it('a second import reads nothing new and adds nothing', async () => {
    const again = await importOnce();
    assert.equal(again.events, 0);
    assert.equal(again.files_skipped_unchanged, 1);
    const s = (await bySession(core))[SID];
    assert.equal(s.requests, 2);
  });
});

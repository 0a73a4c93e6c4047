/**
 * A bulk import whose parse worker normalizes and prices the events itself and packs the records
 * for the store worker (`contracts/importWorker.ts`) stores exactly what the ingest pipeline
 * stores from the same logs: every event row (but the time it was received), its metadata, the
 * sessions, the hourly rollup and the search index, with the main thread's prices (a book set
 * there, as `recalc` sets one) and its thinking setting.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/core/config';
import { runImport } from '../../src/core/importers/importRunner';
import { silentLogger } from '../../src/core/log';
import { PriceBook } from '../../src/core/pricing/priceBook';
import { setPriceBook, setPriceUpdate } from '../../src/core/pricing/priceTables';
import { closeDatabase, defaultWasmPath, openDatabase } from '../../src/core/store/database';
import { openCore } from '../../src/core/runtime';
import { generateLogs, publicClaudeDir, publicCodexDir, scratchDir } from './importHelpers';

/** Import into a new database (worker: the parse worker packing records; else in-process events). */
async function importToFile(dirs: { claude: string[]; codex: string[] }, worker: boolean, book: PriceBook): Promise<{ dbPath: string; packedBatches: number }> {
  const dir = scratchDir();
  const dbPath = path.join(dir, 'agentmonitor.db');
  const core = await openCore({ config: loadConfig({ HOME: dir, AGENTMONITOR_THINKING: '0' } as NodeJS.ProcessEnv, { dbPath }), log: silentLogger });
  let packedBatches = 0;
  try {
    // After `openCore`, which prices with the database's update from then on.
    setPriceBook(book);
    const packed = core.ingest.ingestPacked.bind(core.ingest);
    core.ingest.ingestPacked = (chunks) => {
      packedBatches++;
      return packed(chunks);
    };
    const s = await runImport(
      { store: core.store, ingest: core.ingest, persist: () => core.store.snapshot() },
      { importId: 'packed', claudeDirs: dirs.claude, codexDirs: dirs.codex, parseInWorker: worker },
    );
    assert.ok(s.events > 0);
  } finally {
    await core.close();
  }
  return { dbPath, packedBatches };
}

/** What a database holds, table by table, without the wall-clock times of the import itself. */
async function contents(dbPath: string): Promise<Record<string, unknown[]>> {
  const { state } = await openDatabase(dbPath, defaultWasmPath(), true);
  const db = state.db;
  const rows = (sql: string) => {
    const out: unknown[] = [];
    db.each(sql, [], (r) => out.push(r));
    return out;
  };
  try {
    const eventCols = db.all<{ name: string }>(`SELECT name FROM pragma_table_info('events')`).map((r) => r.name).filter((c) => c !== 'received_at' && c !== 'payload_off' && c !== 'payload_len');
    db.raw.run('CREATE VIRTUAL TABLE temp.terms USING fts4aux(main, search_fts)');
    return {
      events: rows(`SELECT ${eventCols.join(', ')} , payload(payload_off, payload_len, id) AS metadata FROM events ORDER BY id`),
      sessions: rows('SELECT * FROM sessions ORDER BY session_id'),
      usage_hourly: rows('SELECT * FROM usage_hourly ORDER BY hour, agent_type, model, project'),
      event_values: rows('SELECT * FROM event_values ORDER BY col, value'),
      search_terms: rows('SELECT term, col, documents, occurrences FROM temp.terms ORDER BY term, col'),
    };
  } finally {
    closeDatabase(db, state.file);
  }
}

describe('records packed by the parse worker', () => {
  let dirs: { claude: string[]; codex: string[] };
  // The main thread's book (as `recalc` sets one), not one the worker would build: other prices than the tables'.
  const book = new PriceBook({ 'gpt-5-codex': { input: 7, output: 70 }, 'claude-sonnet-4-5-20250929': { input: 11 } }, {});
  before(() => {
    dirs = { claude: [generateLogs('claude', 1, 21).dir, publicClaudeDir()], codex: [generateLogs('codex', 1, 22).dir, publicCodexDir()] };
  });
  after(() => setPriceUpdate({}));

  it('are stored as the in-process pipeline stores the events', async () => {
    const inProcess = await importToFile(dirs, false, book);
    const packed = await importToFile(dirs, true, book);
    assert.equal(inProcess.packedBatches, 0);
    assert.ok(packed.packedBatches > 0, 'the worker import went through ingestPacked');
    const a = await contents(inProcess.dbPath);
    const b = await contents(packed.dbPath);
    assert.ok(a.events.length > 1000);
    for (const table of Object.keys(a)) assert.deepEqual(b[table], a[table], table);
    const text = JSON.stringify(a.events);
    assert.ok(!text.includes('\\"thinking\\"'), 'thinking is dropped (AGENTMONITOR_THINKING=0)');
  });

  it('are priced with the main thread\'s price book', async () => {
    const { dbPath } = await importToFile({ claude: [], codex: dirs.codex }, true, book);
    const { state } = await openDatabase(dbPath, defaultWasmPath(), true);
    try {
      const rows = state.db.all<{ tokens_in: number; cache_read_tokens: number; tokens_out: number; cost_usd: number }>(
        `SELECT tokens_in, cache_read_tokens, tokens_out, cost_usd FROM events WHERE model = 'gpt-5-codex' AND cost_usd > 0 LIMIT 50`,
      );
      assert.ok(rows.length > 0);
      // The override keeps the table's cache-read rate; input 7 and output 70 per million replace it.
      const price = book.resolve('gpt-5-codex')!.price;
      assert.equal(price.input, 7);
      assert.ok(price.cache_read !== undefined);
      for (const x of rows) {
        const expected = (x.tokens_in * 7 + x.tokens_out * 70 + x.cache_read_tokens * price.cache_read) / 1e6;
        assert.ok(Math.abs(x.cost_usd - expected) < 1e-9, `${x.cost_usd} vs ${expected}`);
      }
    } finally {
      closeDatabase(state.db, state.file);
    }
    fs.rmSync(path.dirname(dbPath), { recursive: true, force: true });
  });
});

/**
 * `indexEvent` binds a document's UTF-8 bytes instead of the string (issue 20, import speed): the
 * index must be exactly what binding the string builds, for every kind of text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import initSqlJs from 'sql.js';
import { SqlDb } from '../../src/core/store/sqlDb';
import { CREATE_SEARCH_TABLE, indexEvent, SEARCH_TABLE } from '../../src/core/store/searchIndex';

const TEXTS = [
  'plain ascii words and numbers 42',
  'Unicode: café — naïve “quotes” Ünïcödé 日本語 ✓ Straße',
  'emoji 😀 between words, and a pair at the end 😀',
  'a lone high \ud800 surrogate and a lone low \udc00 one, glued: x\ud800y z\udc00w',
  `${'wörd '.repeat(1700)}é`,
  `${'x'.repeat(7999)}😀 the cut splits the pair`,
  'tab\tnew\nline\r\nend\u0000after nul',
];

function index(db: SqlDb): string {
  const aux = db.all('SELECT term, col, documents, occurrences FROM aux ORDER BY term, col');
  // The segments themselves: every term's documents and positions (the table keeps no per-document sizes).
  const segments = db.all(`SELECT level, idx, hex(root) AS root FROM ${SEARCH_TABLE}_segdir ORDER BY level, idx`);
  const blocks = db.all(`SELECT blockid, hex(block) AS block FROM ${SEARCH_TABLE}_segments ORDER BY blockid`);
  return JSON.stringify({ aux, segments, blocks });
}

describe('search index: documents bound as UTF-8', () => {
  it('builds the same index as the documents bound as strings', async () => {
    const SQL = await initSqlJs();
    const viaIndexEvent = new SqlDb(new SQL.Database());
    const viaString = new SqlDb(new SQL.Database());
    for (const db of [viaIndexEvent, viaString]) {
      db.exec(CREATE_SEARCH_TABLE);
      db.exec(`CREATE VIRTUAL TABLE temp.aux USING fts4aux(main, ${SEARCH_TABLE})`);
    }
    TEXTS.forEach((text, i) => {
      indexEvent(viaIndexEvent, i + 1, 'user_prompt', JSON.stringify({ prompt: text }));
      viaString.run(`INSERT INTO ${SEARCH_TABLE} (docid, body) VALUES (?, ?)`, [i + 1, text.slice(0, 8000)]);
    });
    assert.equal(index(viaIndexEvent), index(viaString));
    const hits = (q: string) => viaIndexEvent.all<{ docid: number }>(`SELECT docid FROM ${SEARCH_TABLE} WHERE body MATCH ?`, [q]).map((r) => r.docid);
    assert.deepEqual(hits('cafe'), [2]);
    assert.deepEqual(hits('日本語'), [2]);
    assert.deepEqual(hits('surrogate'), [4]);
    assert.deepEqual(hits('word'), [5]);
  });
});

/**
 * `GET /api/search` on a real server (issue 17): the real Claude Code and Codex captures imported,
 * then searched by words of their replies, prompts, tool inputs and file paths; filters, cursor
 * paging, bounds and 400s naming the field; an existing database (no search table) indexed by the
 * migration when it opens; Clear Data leaves nothing to find.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import initSqlJs from 'sql.js';
import type { SearchPage } from '../../src/core/contracts/api';
import { MIGRATIONS } from '../../src/core/store/schema';
import { CAPTURED_CLAUDE_SESSION, CAPTURED_CODEX_SESSION, serverWithCaptures } from '../helpers/capturedImport';
import { startTestServer, type TestServer } from '../helpers/server';
import { tmpDir } from '../helpers/tmp';

const CLAUDE_SESSION = CAPTURED_CLAUDE_SESSION;
const CODEX_SESSION = CAPTURED_CODEX_SESSION;

async function search(s: TestServer, query: string): Promise<SearchPage> {
  const r = await s.get<SearchPage>(`/api/search?${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const prompt = (i: number, text: string, extra: Record<string, unknown> = {}) => ({
  event_id: `search-${i}`,
  session_id: `s-${i % 3}`,
  agent_type: i % 2 ? 'codex' : 'claude-code',
  event_type: 'user_prompt',
  project: `/p/${i % 2}`,
  client_timestamp: new Date(Date.UTC(2026, 0, 1 + (i % 10))).toISOString(),
  metadata: { prompt: text },
  ...extra,
});

describe('GET /api/search', () => {
  it('finds the captured runs by a word of a reply, a prompt, a tool input and a file path, with filters', async () => {
    const s = await serverWithCaptures();
    const dozen = await search(s, 'q=dozen');
    assert.deepEqual(
      dozen.results.map((h) => [h.session_id, h.kind]),
      [[CLAUDE_SESSION, 'answer']],
      'the subagent reply "README.md has a few dozen bytes." is one hit, in its session (tool outputs are not indexed)',
    );
    assert.equal(dozen.results[0].snippet, 'README.md has a few dozen bytes.');
    assert.equal(dozen.next_cursor, null);

    const answers = await search(s, 'q=project%20contains');
    assert.deepEqual(answers.results.map((h) => h.session_id).sort(), [CLAUDE_SESSION, CODEX_SESSION].sort());
    assert.ok(answers.results.every((h) => h.kind === 'answer' && /project contains/i.test(h.snippet)));
    const codexOnly = await search(s, 'q=project%20contains&agent_type=codex');
    assert.deepEqual(codexOnly.results.map((h) => h.session_id), [CODEX_SESSION]);
    assert.deepEqual((await search(s, 'q=contains&project=/elsewhere')).results, []);

    const prompts = await search(s, 'q=list%20the%20files');
    assert.ok(prompts.results.some((h) => h.kind === 'prompt' && h.session_id === CLAUDE_SESSION && h.snippet === 'list the files'));
    const tool = await search(s, 'q=wc');
    assert.ok(tool.results.some((h) => h.kind === 'tool' && /wc -c README\.md/.test(h.snippet)));
    const file = await search(s, 'q=does-not-exist.txt');
    assert.ok(file.results.some((h) => h.kind === 'tool' && h.snippet.includes('/home/dev/sandbox/proj/does-not-exist.txt')));

    // Each hit's event is the stored event of that id, at that time.
    const hit = dozen.results[0];
    const ev = await s.get<{ events: { id: number; created_at: string }[] }>(`/api/events?session_id=${CLAUDE_SESSION}&limit=1000`);
    assert.equal(ev.body.events.find((e) => e.id === hit.event_id)?.created_at, hit.at);
    assert.deepEqual((await search(s, 'q=dozen&until=2026-01-01')).results, [], 'until before the run');
    assert.equal((await search(s, 'q=dozen&since=2026-11-23')).results.length, 1);
  });

  it('pages with next_cursor through every hit once, newest stored first; words match whole, a trailing * as a prefix', async () => {
    const s = await startTestServer();
    const events = Array.from({ length: 25 }, (_, i) => prompt(i, `please refactor the parser ${i}`));
    events.push(prompt(100, 'refactoring is something else'), prompt(101, 'an unrelated prompt'));
    const r = await s.post('/api/events/batch', { events });
    assert.ok(r.status < 300, JSON.stringify(r.body));
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: SearchPage = await search(s, `q=refactor&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.results.length <= 10);
      seen.push(...page.results.map((h) => h.event_id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    assert.equal(seen.length, 25);
    assert.equal(new Set(seen).size, 25);
    assert.deepEqual(seen, [...seen].sort((a, b) => b - a));
    assert.equal((await search(s, 'q=refactor*&limit=200')).results.length, 26);
    assert.equal((await search(s, 'q=REFACTOR%20parser%2024')).results.length, 1, 'every word, case ignored');
    assert.equal((await search(s, 'q=refactor&agent_type=codex&limit=200')).results.length, 12);
  });

  it("finds a reply whose text came after its event was stored (a live pass that ended between a response's thinking and its text)", async () => {
    const s = await startTestServer();
    const reply = (metadata: Record<string, unknown>) => ({ event_id: 'response:claude-code:s-live:req_1', session_id: 's-live', agent_type: 'claude-code', event_type: 'response', source: 'import', metadata });
    assert.ok((await s.post('/api/events', reply({ thinking: 'first the thinking' }))).status < 300);
    assert.ok((await s.post('/api/events', reply({ text: 'then the platypus reply', thinking: 'first the thinking' }))).status < 300);
    const hits = (await search(s, 'q=platypus')).results;
    assert.deepEqual(hits.map((h) => [h.session_id, h.kind, h.snippet]), [['s-live', 'answer', 'then the platypus reply']]);
  });

  it('answers 400 naming the bad parameter; query and page size are bounded', async () => {
    const s = await startTestServer();
    const bad: [string, string][] = [
      ['', 'q'],
      ['q=%20%20', 'q'],
      ['q=%22*%22', 'q'],
      [`q=${'a'.repeat(201)}`, 'q'],
      ['q=x&q=y', 'q'],
      ['q=x&limit=0', 'limit'],
      ['q=x&limit=201', 'limit'],
      ['q=x&cursor=nonsense', 'cursor'],
      [`q=x&cursor=${Buffer.from(JSON.stringify(['transcript', 1, 2])).toString('base64url')}`, 'cursor'],
      ['q=x&since=yesterday', 'since'],
      ['q=x&since=2026-02-01&until=2026-01-01', 'until'],
    ];
    for (const [query, field] of bad) {
      const r = await s.get<{ error: string; field?: string }>(`/api/search?${query}`);
      assert.equal(r.status, 400, query);
      assert.match(JSON.stringify(r.body), new RegExp(field), query);
    }
    // FTS syntax in q is only words: no error, no operator.
    assert.deepEqual((await search(s, `q=${encodeURIComponent('a OR "b" NEAR/2 -c (d')}`)).results, []);
  });

  it('keeps the terms of a search table made before migration 10 (per-document sizes) and drops its sizes', async () => {
    const dir = tmpDir();
    const first = await startTestServer({}, { dir });
    const r = await first.post('/api/events/batch', { events: [prompt(1, 'migrate the walrus'), prompt(2, 'walrus again')] });
    assert.ok(r.status < 300);
    await first.close();

    // The table as migration 4 made it, indexed with these events' words; migration 10 not applied.
    const SQL = await initSqlJs();
    const db = new SQL.Database(fs.readFileSync(first.dbPath));
    const applied = JSON.parse(String(db.exec("SELECT value FROM meta WHERE key = 'applied_migrations'")[0].values[0][0])) as number[];
    const create4 = /CREATE VIRTUAL TABLE search_fts [^;]*;/.exec(MIGRATIONS.find((m) => m.version === 4)!.sql)![0];
    assert.doesNotMatch(create4, /matchinfo/);
    db.exec(`DROP TABLE search_fts; ${create4}`);
    const ids = db.exec("SELECT id FROM event_rows ORDER BY id")[0].values.map((v) => Number(v[0]));
    db.run('INSERT INTO search_fts (docid, body) VALUES (?, ?), (?, ?)', [ids[0], 'migrate the walrus', ids[1], 'walrus again']);
    assert.equal(db.exec('SELECT COUNT(*) FROM search_fts_docsize')[0].values[0][0], 2);
    db.run("UPDATE meta SET value = ? WHERE key = 'applied_migrations'", [JSON.stringify(applied.filter((v) => v !== 10))]);
    db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('search_backfill_to', '0')");
    fs.writeFileSync(first.dbPath, db.export());
    db.close();
    fs.rmSync(`${first.dbPath}.sum`, { force: true });

    const again = await startTestServer({}, { dir });
    assert.deepEqual((await search(again, 'q=walrus')).results.map((h) => h.snippet).sort(), ['migrate the walrus', 'walrus again']);
    await again.post('/api/events/batch', { events: [prompt(3, 'the walrus and a penguin')] });
    assert.equal((await search(again, 'q=walrus')).results.length, 3);
    assert.equal((await search(again, 'q=penguin')).results.length, 1);
    await again.close();
    const after = new SQL.Database(fs.readFileSync(again.dbPath));
    const tables = after.exec("SELECT name, sql FROM sqlite_master WHERE name LIKE 'search_fts%' ORDER BY name")[0].values.map((v) => [String(v[0]), String(v[1])]);
    assert.ok(tables.some(([name, sql]) => name === 'search_fts' && /matchinfo=fts3/.test(sql)), JSON.stringify(tables));
    assert.ok(!tables.some(([name]) => name === 'search_fts_docsize' || name.startsWith('search_fts_v10')), JSON.stringify(tables));
    after.close();
  });

  it('indexes the events of a database made before search existed when it opens; Clear Data leaves nothing to find', async () => {
    const dir = tmpDir();
    const first = await startTestServer({}, { dir });
    const r = await first.post('/api/events/batch', { events: [prompt(1, 'migrate the walrus'), prompt(2, 'walrus again')] });
    assert.ok(r.status < 300);
    assert.equal((await search(first, 'q=walrus')).results.length, 2);
    await first.close();

    // Make it a database of the previous schema: no search table, migration 4 not applied.
    const SQL = await initSqlJs();
    const db = new SQL.Database(fs.readFileSync(first.dbPath));
    const applied = JSON.parse(String(db.exec("SELECT value FROM meta WHERE key = 'applied_migrations'")[0].values[0][0])) as number[];
    db.exec(`DROP TABLE search_fts; DELETE FROM meta WHERE key = 'search_backfill_to';`);
    db.run("UPDATE meta SET value = ? WHERE key = 'applied_migrations'", [JSON.stringify(applied.filter((v) => v !== 4))]);
    fs.writeFileSync(first.dbPath, db.export());
    db.close();
    fs.rmSync(`${first.dbPath}.sum`, { force: true });

    const again = await startTestServer({}, { dir });
    const hits = await search(again, 'q=walrus');
    assert.deepEqual(hits.results.map((h) => h.snippet).sort(), ['migrate the walrus', 'walrus again']);

    const cleared = await fetch(`${again.url}/api/data`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ confirm: true }) });
    assert.equal(cleared.status, 200);
    assert.deepEqual((await search(again, 'q=walrus')).results, []);
    // Ids start again after a clear: a new event under an old id is found by its own words only.
    await again.post('/api/events/batch', { events: [prompt(3, 'a penguin now')] });
    assert.deepEqual((await search(again, 'q=walrus')).results, []);
    assert.equal((await search(again, 'q=penguin')).results.length, 1);
    await again.close();
  });
});

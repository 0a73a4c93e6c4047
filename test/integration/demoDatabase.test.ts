/**
 * `agentmonitor demo` as a real process with HOME in a temp dir (issue 19, 22): demo data goes to
 * its own database, never silently into one with real sessions; `demo --remove` deletes it; a
 * stopped demo leaves no journal its final snapshot covers.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { openCore } from '../../src/core/runtime';
import { runCli } from '../helpers/serveProcess';
import { tmpDir } from '../helpers/tmp';

/** A database holding one real (non-demo) session. */
async function realDatabase(dbPath: string): Promise<void> {
  const core = await openCore({ config: loadConfig({} as NodeJS.ProcessEnv, { dbPath }), log: silentLogger });
  await core.ingest.ingest([{ session_id: 'a1b2c3-real', agent_type: 'claude-code', event_type: 'session_start', source: 'api' }], { source: 'api', waitForStore: true });
  await core.close();
}

async function sessionIds(dbPath: string): Promise<string[]> {
  const core = await openCore({ config: loadConfig({} as NodeJS.ProcessEnv, { dbPath }), log: silentLogger, readOnly: true });
  try {
    const page = await core.store.query('listSessions', { now: Date.now(), idleMs: 1, endMs: 2, limit: 1000 });
    return page.sessions.map((s) => s.session_id);
  } finally {
    await core.close();
  }
}

const journalBytes = (dbPath: string) =>
  fs.readdirSync(path.dirname(dbPath)).filter((f) => f.startsWith(`${path.basename(dbPath)}.journal-`)).reduce((n, f) => n + fs.statSync(path.join(path.dirname(dbPath), f)).size, 0);

test('demo without --db fills ~/.agentmonitor/demo.db (not AGENTMONITOR_DB_PATH), says how to see and remove it, and leaves no journal behind', async () => {
  const home = tmpDir('cli-demo-');
  const real = path.join(home, 'real.db');
  const r = await runCli(['demo', '--days', '1'], { HOME: home, AGENTMONITOR_DB_PATH: real });
  assert.equal(r.code, 0, r.stderr);
  const demoDb = path.join(home, '.agentmonitor', 'demo.db');
  assert.ok(r.stdout.includes(`in ${demoDb}`), r.stdout);
  assert.match(r.stdout, /see them with: agentmonitor serve --demo; remove them with: agentmonitor demo --remove\n/);
  assert.equal(fs.existsSync(real), false, 'the real database is untouched');
  assert.ok((await sessionIds(demoDb)).length > 3);
  assert.equal(journalBytes(demoDb), 0, `journal left beside a ${fs.statSync(demoDb).size}-byte database: ${fs.readdirSync(path.dirname(demoDb)).join(', ')}`);

  const removed = await runCli(['demo', '--remove'], { HOME: home });
  assert.equal(removed.code, 0, removed.stderr);
  assert.ok(removed.stdout.includes(`removed ${demoDb}`), removed.stdout);
  assert.deepEqual(fs.readdirSync(path.dirname(demoDb)).filter((f) => f.startsWith('demo.db')), []);
});

test('demo --db on a database with real sessions refuses without --mix-with-real-data; --remove never deletes it', async () => {
  const home = tmpDir('cli-demo-');
  const db = path.join(home, 'work.db');
  await realDatabase(db);
  const refused = await runCli(['demo', '--days', '1', '--db', db], { HOME: home });
  assert.equal(refused.code, 1, refused.stdout);
  assert.ok(refused.stderr.includes(`${db} holds real data (session a1b2c3-real`), refused.stderr);
  assert.match(refused.stderr, /--mix-with-real-data/);
  assert.deepEqual(await sessionIds(db), ['a1b2c3-real']);

  const notRemoved = await runCli(['demo', '--remove', '--db', db], { HOME: home });
  assert.equal(notRemoved.code, 1);
  assert.match(notRemoved.stderr, /leaves it alone/);
  assert.ok(fs.existsSync(db));

  const mixed = await runCli(['demo', '--days', '1', '--db', db, '--mix-with-real-data'], { HOME: home });
  assert.equal(mixed.code, 0, mixed.stderr);
  const ids = await sessionIds(db);
  assert.ok(ids.includes('a1b2c3-real') && ids.some((id) => id.startsWith('demo-')), ids.join(', '));
});

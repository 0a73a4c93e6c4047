/**
 * Team mode on a real PostgreSQL (a throwaway cluster, `test/helpers/postgres.ts`): the same events
 * into the local sql.js server and into a team server give the same `/api/stats/cost` by day, model,
 * project and agent; a repeated batch changes nothing; two team servers on one database both stream
 * an insert to their SSE clients; `by=person`, health and the 501 of what is not served yet
 * (the read routes' contract: `teamContract.test.ts`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { CostRow, Health, TeamCostBreakdown } from '../../src/core/contracts/api';
import type { EventInput } from '../../src/core/contracts/events';
import { toRecord } from '../../src/core/ingest/normalize';
import { silentLogger } from '../../src/core/log';
import type { TeamRecord } from '../../src/core/team/pgStore';
import { startTeamServer, type RunningTeamServer } from '../../src/core/team/teamServer';
import { getJson, postgresSkipReason, postJson, SERVICE_TOKEN, startCluster } from '../helpers/postgres';
import * as path from 'node:path';
import { startServer, type RunningServer } from '../../src/core/server/server';
import { tmpDir } from '../helpers/tmp';
import { cliCommand, runCli } from '../helpers/serveProcess';
import { connectSse, type SseClient } from '../helpers/sse';

const skip = postgresSkipReason();
const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 9, 30, 20, 0, 0); // three days across a month end: two partitions

/** Events over three days, several models (one unpriced), projects, people and agents; every one with an event_id. */
function fleetEvents(): EventInput[] {
  const models = ['claude-sonnet-4-5', 'gpt-5', 'claude-opus-4-1', 'no-such-model-x'];
  const people = ['ana@example.com', 'bo@example.com', undefined];
  const out: EventInput[] = [];
  for (let i = 0; i < 120; i++) {
    const session = `s${i % 9}`;
    const usage = i % 5 !== 0;
    out.push({
      event_id: `fleet-${i}`,
      session_id: session,
      agent_type: i % 3 === 0 ? 'codex' : 'claude_code',
      event_type: usage ? 'llm_request' : 'tool_use',
      tool_name: usage ? undefined : 'Bash',
      model: usage ? models[i % models.length] : undefined,
      project: i % 4 === 0 ? undefined : `proj-${i % 3}`,
      tokens_in: usage ? 1000 + i * 37 : undefined,
      tokens_out: usage ? 200 + i * 11 : undefined,
      cache_read_tokens: usage ? i * 101 : undefined,
      cache_write_tokens: usage && i % 2 ? i * 13 : undefined,
      client_timestamp: new Date(BASE + i * 0.6 * HOUR + (i % 7) * 61_000).toISOString(),
      metadata: people[Number(session.slice(1)) % 3] ? { 'user.email': people[Number(session.slice(1)) % 3] } : { note: 'x' },
    } as EventInput);
  }
  return out;
}

function comparable(rows: CostRow[]): unknown[] {
  return rows.map((r) => ({ ...r, cost_usd: Math.round(r.cost_usd * 1e9) / 1e9 }));
}

describe('team mode on PostgreSQL', { skip: skip ?? false }, () => {
  let local: RunningServer;
  let a: RunningTeamServer;
  let b: RunningTeamServer;
  let url: string;
  const events = fleetEvents();

  before(async () => {
    const cluster = await startCluster();
    url = await cluster.createDatabase('team_contract');
    const dir = tmpDir();
    // Not startTestServer: its `after` registered inside this hook would close the server at once.
    local = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'agentmonitor.db'), watchLogs: false }, { log: silentLogger, env: { HOME: dir } });
    a = await startTeamServer({ port: 0, host: '127.0.0.1', token: SERVICE_TOKEN }, { databaseUrl: url, log: silentLogger });
    // The second server finds the schema migrated and the partitions made by the first.
    b = await startTeamServer({ port: 0, host: '127.0.0.1', token: SERVICE_TOKEN }, { databaseUrl: url, log: silentLogger });
    const l = await postJson<{ duplicates: number }>(`${local.url}/api/events/batch`, events);
    assert.equal(l.status, 201);
    const t = await postJson<{ duplicates: number; ids: number[] }>(`${a.url}/api/events/batch`, events);
    assert.equal(t.status, 201);
    assert.equal(t.body.duplicates, 0);
  });
  after(async () => {
    await local?.close();
    await a?.close();
    await b?.close();
  });

  for (const tz of ['UTC', 'America/New_York']) {
    for (const by of ['day', 'model', 'project', 'agent'] as const) {
      test(`by=${by} in ${tz}: the same answer as the local store`, async () => {
        const q = `/api/stats/cost?by=${by}&tz=${encodeURIComponent(tz)}`;
        const want = (await getJson<TeamCostBreakdown>(local.url + q)).body;
        const got = await getJson<TeamCostBreakdown>(b.url + q);
        assert.equal(got.status, 200);
        assert.ok(want.rows.length > 1, `several ${by} rows`);
        assert.deepEqual(comparable(got.body.rows), comparable(want.rows));
        assert.deepEqual(comparable([{ key: '', ...got.body.totals }]), comparable([{ key: '', ...want.totals }]));
      });
    }
  }

  test('a range with bounds inside hours: the same answer as the local store', async () => {
    const q = `/api/stats/cost?by=model&tz=UTC&since=${new Date(BASE + 5 * HOUR + 1234).toISOString()}&until=${new Date(BASE + 50 * HOUR + 777_000).toISOString()}`;
    const want = (await getJson<TeamCostBreakdown>(local.url + q)).body;
    const got = (await getJson<TeamCostBreakdown>(a.url + q)).body;
    assert.deepEqual(comparable(got.rows), comparable(want.rows));
  });

  test('by=person sums what each person sent, events without one are "unknown"; person= narrows any view to one person', async () => {
    const got = (await getJson<TeamCostBreakdown>(`${a.url}/api/stats/cost?by=person&tz=UTC`)).body;
    assert.deepEqual(got.rows.map((r) => r.key).sort(), ['ana@example.com', 'bo@example.com', 'unknown']);
    const ana = events.filter((e) => (e.metadata as Record<string, unknown>)['user.email'] === 'ana@example.com');
    const row = got.rows.find((r) => r.key === 'ana@example.com')!;
    assert.equal(row.events, ana.length);
    assert.equal(row.tokens_in, ana.reduce((s, e) => s + (e.tokens_in ?? 0), 0));
    assert.equal(row.sessions, new Set(ana.map((e) => e.session_id)).size);
    const anaByProject = (await getJson<TeamCostBreakdown>(`${a.url}/api/stats/cost?by=project&tz=UTC&person=ana@example.com`)).body;
    assert.equal(anaByProject.totals.events, ana.length);
    assert.equal(anaByProject.totals.sessions, row.sessions);
    const anaProjects = new Map<string, number>();
    for (const e of ana) anaProjects.set(e.project ?? '(no project)', (anaProjects.get(e.project ?? '(no project)') ?? 0) + 1);
    assert.deepEqual(new Map(anaByProject.rows.map((r) => [r.key, r.events])), anaProjects);
    const all = (await getJson<TeamCostBreakdown>(`${a.url}/api/stats/cost?by=day&tz=UTC`)).body;
    assert.equal(Math.round(got.totals.cost_usd * 1e9), Math.round(all.totals.cost_usd * 1e9));
  });

  test('a repeated batch, to either server, changes nothing', async () => {
    const before = (await getJson<TeamCostBreakdown>(`${a.url}/api/stats/cost?by=model&tz=UTC`)).body;
    const again = await postJson<{ duplicates: number; ids: number[] }>(`${b.url}/api/events/batch`, events);
    assert.equal(again.status, 201);
    assert.equal(again.body.duplicates, events.length);
    const afterRepeat = (await getJson<TeamCostBreakdown>(`${a.url}/api/stats/cost?by=model&tz=UTC`)).body;
    assert.deepEqual(afterRepeat, before);
    const health = (await getJson<Health>(`${a.url}/api/health`)).body;
    assert.equal(health.events, events.length);
  });

  test('a batch the database refuses is answered 503 and leaves nothing: no event, no rollup, no claimed event_id', async () => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const batch: EventInput[] = [
      { event_id: 'atom-1', session_id: 'atom', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 500 },
      { event_id: 'atom-2', session_id: 'boom', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 700 },
    ];
    try {
      const before = (await getJson<TeamCostBreakdown>(`${a.url}/api/stats/cost?by=model&tz=UTC`)).body;
      const count = (await getJson<Health>(`${a.url}/api/health`)).body.events;
      // The second row fails inside the batch's transaction, after the first was inserted and its event_id claimed.
      await db.query(`CREATE FUNCTION am_test_boom() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.session_id = 'boom' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
      await db.query('CREATE TRIGGER am_test_boom BEFORE INSERT ON am_events FOR EACH ROW EXECUTE FUNCTION am_test_boom()');
      const refused = await postJson<{ error: string }>(`${a.url}/api/events/batch`, batch);
      assert.equal(refused.status, 503);
      assert.match(refused.body.error, /the team database did not take the events: refused by the test/);
      assert.deepEqual((await getJson<TeamCostBreakdown>(`${a.url}/api/stats/cost?by=model&tz=UTC`)).body, before);
      assert.equal((await getJson<Health>(`${a.url}/api/health`)).body.events, count);
      await db.query('DROP TRIGGER am_test_boom ON am_events');
      const retried = await postJson<{ duplicates: number }>(`${b.url}/api/events/batch`, batch);
      assert.equal(retried.status, 201);
      assert.equal(retried.body.duplicates, 0);
      assert.equal((await getJson<Health>(`${a.url}/api/health`)).body.events, count + 2);
    } finally {
      await db.end();
    }
  });

  test('the CLI: AGENTMONITOR_DATABASE_URL runs a team server; --db with it, a bad URL and an unreachable database are refused', async () => {
    const child = spawn(process.execPath, [...cliCommand(), 'serve', '--port', '0'], { env: { ...process.env, AGENTMONITOR_DATABASE_URL: url, AGENTMONITOR_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let out = '';
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        const m = /team server listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
    });
    assert.equal((await getJson<Health>(`${base}/api/health`)).body.storage, 'postgres');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);

    const both = await runCli(['serve', '--database-url', url, '--db', '/tmp/x.db']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--database-url keeps events in PostgreSQL; it does not go with --db or --demo/);
    const mysql = await runCli(['serve', '--database-url', 'mysql://u:pw@h/db']);
    assert.equal(mysql.code, 2);
    assert.match(mysql.stderr, /must be a postgres:\/\/ or postgresql:\/\/ URL, got "mysql:\/\/u:\*\*\*@h\/db"/);
    const down = await runCli(['serve', '--port', '0', '--database-url', 'postgres://u:secret-pw@127.0.0.1:1/x']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot open the team database postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x: .*ECONNREFUSED/);
    assert.doesNotMatch(down.stderr, /secret-pw/);
  });

  test('two team servers on one database both stream an insert to their SSE clients', async () => {
    const clients = (await Promise.all([connectSse(`${a.url}/api/stream`), connectSse(`${b.url}/api/stream`)])) as SseClient[];
    try {
      for (const c of clients) assert.equal(c.status, 200);
      const live: EventInput = { event_id: 'live-1', session_id: 'live', agent_type: 'claude_code', event_type: 'session_start', metadata: { 'user.email': 'ana@example.com' } };
      const posted = await postJson<{ id: number; duplicate: boolean }>(`${a.url}/api/events`, live);
      assert.equal(posted.status, 201);
      for (const c of clients) {
        const m = await c.waitFor('event', (x) => x.event.event_id === 'live-1');
        assert.equal(m.event.id, posted.body.id);
        assert.equal(m.event.session_id, 'live');
      }
    } finally {
      for (const c of clients) c.close();
    }
  });

  test('concurrent batches over overlapping sessions and hours are all taken and all counted (no deadlock reaches a client)', async () => {
    const count = (await getJson<Health>(`${a.url}/api/health`)).body.events;
    // Eight writers at once (a server's whole pool), each batch a sliding window over 200 sessions:
    // batches with different key sets lock shared rollup and session rows in different orders
    // unless the store orders them.
    let seq = 0;
    const batch = (): TeamRecord[] =>
      Array.from({ length: 50 }, (_, i) => {
        const n = seq++;
        const e: EventInput = {
          event_id: `conc-${n}`,
          session_id: `conc-${n % 200}`,
          agent_type: 'claude_code',
          event_type: i % 4 ? 'tool_use' : 'llm_request',
          model: i % 4 ? undefined : 'claude-sonnet-4-5',
          tokens_in: i % 4 ? undefined : 1200,
          project: `/p/${n % 7}`,
          client_timestamp: new Date(BASE + (n % 5) * HOUR).toISOString(),
        };
        return { ...toRecord(e, 'api', 32_768), person: `d${n % 20}@example.com`, machine: null };
      });
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 40; i++) await (w % 2 ? a : b).store.insert(batch());
      }),
    );
    assert.equal((await getJson<Health>(`${a.url}/api/health`)).body.events, count + seq);
  });

  test('a LISTEN connection PostgreSQL drops is reopened: the next insert still reaches both servers\' clients', async () => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const clients = (await Promise.all([connectSse(`${a.url}/api/stream`), connectSse(`${b.url}/api/stream`)])) as SseClient[];
    try {
      const next = [a.store.listenGeneration + 1, b.store.listenGeneration + 1];
      const killed = await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'agentmonitor-listen' AND datname = current_database()");
      assert.equal(killed.rowCount, 2);
      await Promise.all([a.store.whenListening(next[0]), b.store.whenListening(next[1])]);
      const posted = await postJson<{ id: number }>(`${b.url}/api/events`, { event_id: 'live-2', session_id: 'live', agent_type: 'codex', event_type: 'session_start' });
      assert.equal(posted.status, 201);
      for (const c of clients) assert.equal((await c.waitFor('event', (x) => x.event.event_id === 'live-2')).event.id, posted.body.id);
    } finally {
      for (const c of clients) c.close();
      await db.end();
    }
  });

  test('health names the backend; what team mode does not serve answers 501 naming it', async () => {
    const team = (await getJson<Health>(`${a.url}/api/health`)).body;
    assert.equal(team.storage, 'postgres');
    assert.doesNotMatch(team.db_path, /:[^@/]*@/, 'no password in health');
    assert.equal((await getJson<Health>(`${local.url}/api/health`)).body.storage, 'sqljs');
    const unserved = await getJson<{ error: string }>(`${a.url}/api/import`);
    assert.equal(unserved.status, 501);
    assert.match(unserved.body.error, /GET \/api\/import is not available in team mode/);
    const bad = await getJson<{ error: string }>(`${a.url}/api/stats/cost?by=week`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /by/);
  });
});

if (skip) test(`team mode on PostgreSQL: skipped (${skip})`, { skip }, () => {});

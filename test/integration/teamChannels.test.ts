/**
 * Getting data into a team server straight from the agents (issue 25, channel 1): the real Claude
 * Code and Codex captures (hooks, then OTLP logs, metrics and traces, JSON and protobuf) posted to
 * a local server and, with a person's token, to a team server on a real PostgreSQL give the same
 * answers; the team stores them as the token's person, from the machine OTLP's `host.name` or the
 * request's `X-AgentMonitor-Machine` header names; sent again they change nothing. With the
 * service token the person comes from the records' `user.email` / `user.account_uuid`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { EventsPage, Health, SessionsPage, TeamCostBreakdown } from '../../src/core/contracts/api';
import { silentLogger } from '../../src/core/log';
import { encodeOtlpRequest } from '../../src/core/otel/otlpProto';
import { startServer, type RunningServer } from '../../src/core/server/server';
import { createToken, revokeTokens } from '../../src/core/team/pgTokens';
import { startTeamServer, type RunningTeamServer } from '../../src/core/team/teamServer';
import { PgStore, type TeamRecord } from '../../src/core/team/pgStore';
import { metricsUsageEventId } from '../../src/core/contracts/eventIds';
import type { EventInput } from '../../src/core/contracts/events';
import { toRecord } from '../../src/core/ingest/normalize';
import { CLAUDE_CAPTURE, CODEX_CAPTURE, jsonLines, waitFor } from '../helpers/hookFixtures';
import { getJson, postgresSkipReason, SERVICE_TOKEN, startCluster } from '../helpers/postgres';
import { claudeApiRequests } from '../helpers/otlpLogs';
import { comparable as compare, sameAnswer } from '../helpers/teamCompare';
import { tmpDir } from '../helpers/tmp';

const skip = postgresSkipReason();
const CAPTURED = path.dirname(CLAUDE_CAPTURE);
const ANA = 'ana@example.com';
const CLAUDE_SID = '5df58c72-10ee-4455-8525-dd0ff3c62090';
const CLAUDE_PB_SID = '1ade89e2-f908-4a68-b547-fb1a3e9505e2';
const CODEX_SID = '01a20b0a-7dc8-7c71-883b-a8f904513445';

interface Post {
  url: string;
  contentType: string;
  body: Buffer;
}

/** A capture run's OTLP requests in the order they were sent, or its hooks (as the agents posted them). */
function capturePosts(run: string, channel: 'otlp' | 'hooks' = 'otlp'): Post[] {
  const dir = path.join(CAPTURED, run);
  const agent = run.startsWith('codex') ? 'codex' : 'claude-code';
  const hooks: Record<string, unknown>[] =
    agent === 'codex'
      ? ['SessionStart', 'UserPromptSubmit', 'PreModelRequest', 'PreToolUse', 'PostToolUse', 'Stop', 'SessionEnd'].flatMap((n) => jsonLines(path.join(dir, `hooks-${n}.jsonl`)))
      : [...jsonLines(path.join(dir, 'hooks-SessionStart.jsonl')), ...jsonLines(path.join(dir, 'hooks-http.jsonl')).map((l) => l.body as Record<string, unknown>)];
  const otlp = fs
    .readdirSync(path.join(dir, 'otlp'))
    .filter((f) => !f.endsWith('.meta.json'))
    .sort()
    .map((f) => {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'otlp', f.replace(/\.(json|pb)$/, '.meta.json')), 'utf8'));
      return { url: `/api/otel${meta.url}`, contentType: meta.headers['content-type'], body: fs.readFileSync(path.join(dir, 'otlp', f)) };
    });
  return channel === 'otlp' ? otlp : hooks.map((h) => ({ url: `/api/hooks/${agent}`, contentType: 'application/json', body: Buffer.from(JSON.stringify(h)) }));
}

async function send(base: string, p: Post, headers: Record<string, string> = {}): Promise<number> {
  const r = await fetch(base + p.url, { method: 'POST', headers: { 'content-type': p.contentType, ...headers }, body: new Uint8Array(p.body) });
  await r.arrayBuffer();
  return r.status;
}

const BY_CONSTRUCTION = new Set(['generated_at', 'received_at', 'person', 'people', 'machine', 'machines']);
/** Hooks carry no time: an event's time is when a server received it, and a call's duration the time between its hooks. */
const RECEIVE_TIMES = new Set([...BY_CONSTRUCTION, 'created_at', 'started_at', 'last_event_at', 'ended_at', 'last_seen_at', 'state_at', 'waiting_since', 'duration_ms', 'avg_ms', 'p50_ms', 'p95_ms', 'max_ms', 'total_ms', 'events_per_minute']);

const comparable = (x: unknown, skip: Set<string> = BY_CONSTRUCTION): unknown => compare(x, skip);

/** One Claude Code api_request in an OTLP/JSON logs request, with the given resource attributes. */
function apiRequestLogs(resource: Record<string, string>, sessionId: string, requestId: string, cost: number): Record<string, unknown> {
  return claudeApiRequests(resource, [{ sessionId, requestId, model: 'claude-sonnet-4-5-20250929', tokensIn: 1000, tokensOut: 200, cost, atMs: Date.UTC(2026, 11, 1, 10) }]);
}

describe('agents straight to a team server: OTLP', { skip: skip ?? false }, () => {
  let local: RunningServer;
  let team: RunningTeamServer;
  let url: string;
  let anaToken: string;
  const runs = ['claude-json', 'claude-protobuf', 'codex-json'];
  const teamHeaders = () => ({ authorization: `Bearer ${anaToken}`, 'x-agentmonitor-machine': 'ana-laptop' });

  before(async () => {
    const cluster = await startCluster();
    url = await cluster.createDatabase('team_channels');
    const dir = tmpDir();
    local = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'local.db'), watchLogs: false }, { log: silentLogger, env: { HOME: dir } });
    team = await startTeamServer({ port: 0, host: '127.0.0.1', token: SERVICE_TOKEN }, { databaseUrl: url, log: silentLogger });
    anaToken = (await createToken(team.store.pool, ANA)).token;
    for (const run of runs) {
      for (const p of capturePosts(run)) {
        assert.equal(await send(local.url, p), 200, `local ${p.url}`);
        assert.equal(await send(team.url, p, teamHeaders()), 200, `team ${p.url}`);
      }
    }
  });
  after(async () => {
    await local?.close();
    await team?.close();
  });

  const same = (route: string): Promise<unknown> => sameAnswer(local.url, team.url, route, BY_CONSTRUCTION);

  const routes = [
    '/api/stats?tz=UTC',
    '/api/sessions?limit=50',
    ...[CLAUDE_SID, CLAUDE_PB_SID, CODEX_SID].flatMap((sid) => [`/api/sessions/${sid}`, `/api/events?session_id=${sid}&limit=1000`]),
    '/api/stats/cost?by=model&tz=UTC',
    '/api/stats/cost?by=session&tz=UTC',
    '/api/stats/cost?by=day&tz=UTC',
    '/api/stats/tools?tz=UTC&bucket=day',
    '/api/filter-options',
  ];
  for (const route of routes) test(`the team answers GET ${route} as the local server`, async () => void (await same(route)));

  test('the captures hold what the comparison needs: costs once (metrics arrive before the logs), completed tools, prompts', async () => {
    const cost = (await getJson<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=session&tz=UTC`)).body;
    const claude = cost.rows.find((r) => r.key === CLAUDE_SID);
    const claudeResult = JSON.parse(
      fs
        .readFileSync(path.join(CLAUDE_CAPTURE, 'claude-stdout.jsonl'), 'utf8')
        .split('\n')
        .find((l) => l.includes('"type":"result"'))!,
    ) as { total_cost_usd: number };
    assert.ok(claude && Math.abs(claude.cost_usd - claudeResult.total_cost_usd) < 1e-9, `Claude Code's own total ${claudeResult.total_cost_usd}, team ${claude?.cost_usd}`);
    const evs = (await getJson<EventsPage>(`${team.url}/api/events?session_id=${CLAUDE_SID}&event_type=tool_use&limit=1000`)).body.events;
    assert.ok(evs.length >= 5 && evs.every((e) => e.status !== 'running'), 'every tool call completed');
    const codexPrompts = (await getJson<EventsPage>(`${team.url}/api/events?session_id=${CODEX_SID}&event_type=user_prompt&limit=100`)).body.events;
    assert.equal(codexPrompts.length, 1, 'the Codex prompt of the hook and of OTLP is one event');
  });

  test("every event is the token's person's, from OTLP's host.name or else the header's machine", async () => {
    const all = (await getJson<EventsPage>(`${team.url}/api/events?limit=1000`)).body.events;
    assert.ok(all.length > 30);
    assert.ok(all.every((e) => e.person === ANA));
    const codexHost = JSON.parse(fs.readFileSync(path.join(CODEX_CAPTURE, 'otlp', 'codex-json-0001-otlp-logs.json'), 'utf8')).resourceLogs[0].resource.attributes.find(
      (a: { key: string }) => a.key === 'host.name',
    ).value.stringValue as string;
    const machines = new Set(all.map((e) => `${e.source}:${e.agent_type}:${e.machine}`));
    assert.ok(machines.has(`otel:codex:${codexHost}`), [...machines].join(' '));
    assert.ok(machines.has('otel:claude-code:ana-laptop'), 'Claude Code exports no host.name: the header names the machine');
    const sessions = (await getJson<SessionsPage>(`${team.url}/api/sessions?limit=50`)).body.sessions;
    assert.ok(sessions.every((s) => s.person === ANA && typeof s.machine === 'string'));
  });

  test('machine= narrows sessions and events to one machine on a team server; the filter options list the machines; a local server refuses machine=', async () => {
    const codexHost = JSON.parse(fs.readFileSync(path.join(CODEX_CAPTURE, 'otlp', 'codex-json-0001-otlp-logs.json'), 'utf8')).resourceLogs[0].resource.attributes.find(
      (a: { key: string }) => a.key === 'host.name',
    ).value.stringValue as string;
    const options = (await getJson<{ machines?: string[] }>(`${team.url}/api/filter-options`)).body;
    assert.deepEqual(options.machines, ['ana-laptop', codexHost].sort());
    const sessions = (await getJson<SessionsPage>(`${team.url}/api/sessions?machine=${encodeURIComponent(codexHost)}&limit=50`)).body.sessions;
    assert.deepEqual(sessions.map((s) => s.session_id), [CODEX_SID]);
    const events = (await getJson<EventsPage>(`${team.url}/api/events?machine=ana-laptop&limit=1000`)).body.events;
    assert.ok(events.length > 0 && events.every((e) => e.machine === 'ana-laptop' && e.agent_type === 'claude-code'));
    for (const route of ['/api/sessions?machine=x', '/api/events?machine=x', '/api/stream?machine=x']) {
      const r = await fetch(local.url + route);
      assert.equal(r.status, 400, route);
      assert.match(((await r.json()) as { error: string }).error, /machine filters need a team server/);
    }
  });

  test('everything sent again changes nothing', async () => {
    const health = async () => (await getJson<Health>(`${team.url}/api/health`)).body.events;
    const cost = async () => comparable((await getJson<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=session&tz=UTC`)).body.rows);
    const [events, costs] = [await health(), await cost()];
    for (const run of runs) for (const p of capturePosts(run)) assert.equal(await send(team.url, p, teamHeaders()), 200);
    assert.equal(await health(), events);
    assert.deepEqual(await cost(), costs);
  });

  test('with the service token the person is the records’ user.email, else user.account_uuid; JSON and protobuf', async () => {
    const service = { authorization: `Bearer ${SERVICE_TOKEN}` };
    const byEmail = apiRequestLogs({ 'user.email': 'cy@example.com', 'host.name': 'build-7' }, 'svc-1', 'req-svc-1', 0.25);
    const byAccount = apiRequestLogs({ 'user.account_uuid': 'acct-42' }, 'svc-2', 'req-svc-2', 0.5);
    const json = { url: '/api/otel/v1/logs', contentType: 'application/json', body: Buffer.from(JSON.stringify(byEmail)) };
    const proto = { url: '/api/otel/v1/logs', contentType: 'application/x-protobuf', body: Buffer.from(encodeOtlpRequest('logs', byAccount)) };
    assert.equal(await send(team.url, json, service), 200);
    assert.equal(await send(team.url, proto, service), 200);
    const events = async (sid: string) => (await getJson<EventsPage>(`${team.url}/api/events?session_id=${sid}`)).body.events;
    const [cy] = await events('svc-1');
    assert.equal(cy.person, 'cy@example.com');
    assert.equal(cy.machine, 'build-7');
    const [acct] = await events('svc-2');
    assert.equal(acct.person, 'acct-42');
    assert.equal(acct.machine, undefined, 'no host.name and no header: the machine is not known');
    // A person's token wins over the records' user.email.
    const asAna = apiRequestLogs({ 'user.email': 'cy@example.com' }, 'svc-3', 'req-svc-3', 0.1);
    assert.equal(await send(team.url, { ...json, body: Buffer.from(JSON.stringify(asAna)) }, { authorization: `Bearer ${anaToken}` }), 200);
    assert.equal((await events('svc-3'))[0].person, ANA);
    const byPerson = (await getJson<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=person&tz=UTC`)).body.rows;
    assert.equal(byPerson.find((r) => r.key === 'acct-42')?.cost_usd, 0.5);
  });

  test('a bad machine header is a 400 naming it; a revoked token is refused on OTLP and hooks', async () => {
    const [hook] = capturePosts('codex-json', 'hooks');
    const bad = await fetch(team.url + hook.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${anaToken}`, 'x-agentmonitor-machine': 'x'.repeat(300) }, body: new Uint8Array(hook.body) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /x-agentmonitor-machine/);
    const { token } = await createToken(team.store.pool, 'gone@example.com');
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await revokeTokens(db, { person: 'gone@example.com' });
    } finally {
      await db.end();
    }
    const logs = { url: '/api/otel/v1/logs', contentType: 'application/json', body: Buffer.from(JSON.stringify(apiRequestLogs({}, 'gone-1', 'req-gone-1', 1))) };
    for (const p of [hook, logs]) assert.equal(await send(team.url, p, { authorization: `Bearer ${token}` }), 401, p.url);
    assert.equal((await getJson<EventsPage>(`${team.url}/api/events?session_id=gone-1`)).body.events.length, 0);
  });
});

describe('agents straight to a team server: hooks, then OTLP of the same runs', { skip: skip ?? false }, () => {
  let local: RunningServer;
  let team: RunningTeamServer;
  const runs = ['claude-json', 'claude-protobuf', 'codex-json'];

  before(async () => {
    const cluster = await startCluster();
    const url = await cluster.createDatabase('team_channels_hooks');
    const dir = tmpDir();
    local = await startServer({ port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'local.db'), watchLogs: false }, { log: silentLogger, env: { HOME: dir } });
    team = await startTeamServer({ port: 0, host: '127.0.0.1', token: SERVICE_TOKEN }, { databaseUrl: url, log: silentLogger });
    const { token } = await createToken(team.store.pool, ANA);
    for (const run of runs) {
      for (const p of [...capturePosts(run, 'hooks'), ...capturePosts(run)]) {
        assert.equal(await send(local.url, p), 200, `local ${p.url}`);
        // A team server answers once PostgreSQL committed the hook's events.
        assert.equal(await send(team.url, p, { authorization: `Bearer ${token}`, 'x-agentmonitor-machine': 'ana-desktop' }), 200, `team ${p.url}`);
      }
    }
    await waitFor('the local store applied the hooks', async () => (await getJson<Health>(`${local.url}/api/health`)).body.journal_pending === 0);
  });
  after(async () => {
    await local?.close();
    await team?.close();
  });

  const routes = [
    '/api/stats?tz=UTC',
    '/api/sessions?limit=50',
    ...[CLAUDE_SID, CLAUDE_PB_SID, CODEX_SID].flatMap((sid) => [`/api/sessions/${sid}`, `/api/events?session_id=${sid}&limit=1000`]),
    '/api/stats/tools?tz=UTC&bucket=day',
    '/api/filter-options',
  ];
  for (const route of routes) {
    test(`the team answers GET ${route} as the local server (but for receive times)`, async () => {
      const [want, got] = await Promise.all([getJson<unknown>(local.url + route), getJson<unknown>(team.url + route)]);
      assert.equal(want.status, 200);
      assert.equal(got.status, 200);
      assert.deepEqual(comparable(got.body, RECEIVE_TIMES), comparable(want.body, RECEIVE_TIMES), route);
    });
  }

  test("the hooks' events are the token's person's, from the header's machine; their calls completed; OTLP filled in what hooks lack", async () => {
    const all = (await getJson<EventsPage>(`${team.url}/api/events?limit=1000`)).body.events;
    const hooks = all.filter((e) => e.source === 'hook');
    assert.ok(hooks.length > 30 && all.every((e) => e.person === ANA) && hooks.every((e) => e.machine === 'ana-desktop'));
    // OTLP's decision on a call the hooks stored first is merged into the stored call, as locally.
    assert.ok(hooks.some((e) => e.event_type === 'tool_use' && typeof e.metadata?.decision === 'string'), 'a decision filled in');
    const tools = all.filter((e) => e.event_type === 'tool_use');
    assert.ok(tools.length >= 6 && tools.every((e) => e.status !== 'running'), tools.map((e) => e.status).join());
  });
});

describe('metric-derived usage and the first real request of its session on two servers at once', { skip: skip ?? false }, () => {
  test('the derived usage still leaves when the request would commit while the derived batch waits (the session is locked)', async () => {
    const cluster = await startCluster();
    const url = await cluster.createDatabase('team_channels_cover');
    const [a, b] = [await PgStore.open(url, silentLogger), await PgStore.open(url, silentLogger)];
    const hold = new pg.Client({ connectionString: url });
    await hold.connect();
    try {
      const at = Date.UTC(2026, 10, 3, 10, 5);
      const record = (e: Partial<EventInput>): TeamRecord => ({
        ...toRecord({ session_id: 'race-1', agent_type: 'claude-code', event_type: 'llm_request', client_timestamp: new Date(at).toISOString(), ...e } as EventInput, 'otel', 32_768),
        person: ANA,
        machine: null,
      });
      const derivedId = metricsUsageEventId('claude-code', 'race-1', 'k1');
      // The derived batch's claim of its id waits for this transaction, which claims it first (then rolls back).
      await hold.query('BEGIN');
      await hold.query('INSERT INTO am_event_ids (event_id, id, created_at) VALUES ($1, 0, 0)', [derivedId]);
      const waiting = async () => (await hold.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM pg_locks WHERE NOT granted')).rows[0].n;
      // Server a takes the derived usage (metrics) and waits at its claim; server b the session's real request.
      const derived = a.insert([record({ event_id: derivedId, model: 'claude-sonnet-4-5-20250929', tokens_in: 5000, cost_usd: 0.5 })]);
      await waitFor('the derived batch waiting', async () => (await waiting()) >= 1);
      let realDone = false;
      const real = b.insert([record({ event_id: 'llm:claude-code:race-req-1', model: 'claude-opus-4-1-20250805', tokens_in: 1000, cost_usd: 0.25 })]).then((o) => ((realDone = true), o));
      await waitFor('the real request committed or waiting', async () => realDone || (await waiting()) >= 2);
      await hold.query('ROLLBACK');
      await Promise.all([derived, real]);
      const session = (await hold.query<{ cost_usd: number; tokens_in: number }>("SELECT cost_usd, tokens_in::int AS tokens_in FROM am_sessions WHERE session_id = 'race-1'")).rows[0];
      assert.deepEqual({ ...session }, { cost_usd: 0.25, tokens_in: 1000 }, 'only the real request counts');
      const rollup = (await hold.query<{ cost: number }>("SELECT SUM(cost_usd) AS cost FROM am_usage_hourly WHERE agent_type = 'claude-code'")).rows[0];
      assert.equal(rollup.cost, 0.25);
    } finally {
      await hold.end();
      await a.close();
      await b.close();
    }
  });
});

if (skip) test(`agents straight to a team server: skipped (${skip})`, { skip }, () => {});

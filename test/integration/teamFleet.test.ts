/**
 * A simulated fleet (issue 25): 20 people on 3 machines, each with a local AgentMonitor (a real
 * `serve` process on loopback, its sql.js file in a temp dir) that pushes to one team server on a
 * real PostgreSQL, while their agents also export OTLP (JSON and protobuf) straight to it. The
 * per-person, -project, -model and -day totals equal the figures computed here from the inputs;
 * pushing and exporting everything twice changes nothing; a session seen through OTLP and through
 * the push counts once; a revoked token is refused.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SessionsPage, TeamCostBreakdown, Health } from '../../src/core/contracts/api';
import type { EventInput } from '../../src/core/contracts/events';
import { loadConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { encodeOtlpRequest } from '../../src/core/otel/otlpProto';
import { computeCost } from '../../src/core/pricing/cost';
import { priceBook } from '../../src/core/pricing/priceTables';
import { openCore } from '../../src/core/runtime';
import { createToken, revokeTokens } from '../../src/core/team/pgTokens';
import { push } from '../../src/core/team/push';
import { startTeamServer, type RunningTeamServer } from '../../src/core/team/teamServer';
import { waitFor } from '../helpers/hookFixtures';
import { claudeApiRequests, type ApiRequestRecord } from '../helpers/otlpLogs';
import { getJson, postgresSkipReason, SERVICE_TOKEN, startCluster } from '../helpers/postgres';
import { runCli, spawnServe, stopServe, type ServeProcess } from '../helpers/serveProcess';
import { asInput } from '../helpers/teamCompare';
import { tmpDir } from '../helpers/tmp';
import { publicClaudeDir, publicCodexDir } from './importHelpers';

const skip = postgresSkipReason();
const PEOPLE = 20;
const MACHINES = ['ws-north', 'ws-south', 'build-box'];
const DAY = 86_400_000;
const OTLP_DAY = Date.UTC(2026, 10, 2, 9);
const person = (p: number) => `dev${String(p).padStart(2, '0')}@example.com`;
const machineOf = (p: number) => MACHINES[p % MACHINES.length];


/** Person p's copy of the fixtures: their own sessions and ids, a day later per person (mod 4). */
function personEvents(base: EventInput[], p: number): EventInput[] {
  const tag = `p${p}`;
  return base.map((e) => {
    const metadata = e.metadata && typeof e.metadata === 'object' && !Array.isArray(e.metadata) ? { ...(e.metadata as Record<string, unknown>) } : e.metadata;
    if (metadata && typeof metadata === 'object' && typeof (metadata as Record<string, unknown>).parent_session_id === 'string') {
      (metadata as Record<string, unknown>).parent_session_id = `${tag}-${(metadata as Record<string, unknown>).parent_session_id}`;
    }
    const id = e.event_id;
    return {
      ...e,
      session_id: `${tag}-${e.session_id}`,
      // A Claude request keeps its id's shape (`llm:claude-code:<request id>`), so OTLP can name it.
      ...(id ? { event_id: id.startsWith('llm:claude-code:') ? `llm:claude-code:${tag}-${id.slice(16)}` : `${tag}:${id}` } : {}),
      client_timestamp: new Date(Date.parse(e.client_timestamp!) + (p % 4) * DAY).toISOString(),
      ...(metadata !== undefined ? { metadata } : {}),
    } as EventInput;
  });
}

/** Person p's OTLP-only requests (a session no transcript shows). */
function otlpOnly(p: number): ApiRequestRecord[] {
  return [0, 1, 2].map((k) => ({
    sessionId: `otlp-p${p}`,
    requestId: `req-p${p}-${k}`,
    model: k === 2 ? 'claude-opus-4-1-20250805' : 'claude-sonnet-4-5-20250929',
    tokensIn: 1000 + 17 * p + k,
    tokensOut: 300 + 3 * p,
    cacheRead: 5000 * k,
    cacheWrite: 200,
    cost: 0.0125 * (k + 1) + p / 1000,
    atMs: OTLP_DAY + (p % 3) * DAY + k * 60_000,
  }));
}

interface Figures {
  events: number;
  requests: number;
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
}

type Expected = Record<'person' | 'project' | 'model' | 'day', Map<string, Figures>>;

function add(m: Map<string, Figures>, key: string, e: { tokens_in: number; tokens_out: number; cache_read_tokens: number; cache_write_tokens: number; cost: number }): void {
  let f = m.get(key);
  if (!f) m.set(key, (f = { events: 0, requests: 0, tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0 }));
  f.events++;
  if (e.tokens_in + e.tokens_out + e.cache_read_tokens + e.cache_write_tokens > 0) f.requests++;
  f.tokens_in += e.tokens_in;
  f.tokens_out += e.tokens_out;
  f.cache_read_tokens += e.cache_read_tokens;
  f.cache_write_tokens += e.cache_write_tokens;
  f.cost_usd += e.cost;
}

/** The totals the team must show, from the inputs alone: the agent's cost where given, else the price table's. */
function expectedFigures(pushed: EventInput[][], otlp: ApiRequestRecord[][]): Expected {
  const out: Expected = { person: new Map(), project: new Map(), model: new Map(), day: new Map() };
  const book = priceBook();
  const note = (p: number, project: string, model: string, atMs: number, u: Parameters<typeof add>[2]) => {
    add(out.person, person(p), u);
    add(out.project, project, u);
    add(out.model, model, u);
    add(out.day, new Date(atMs).toISOString().slice(0, 10), u);
  };
  pushed.forEach((events, p) => {
    for (const e of events) {
      const usage = {
        tokens_in: e.tokens_in ?? 0,
        tokens_out: e.tokens_out ?? 0,
        cache_read_tokens: e.cache_read_tokens ?? 0,
        cache_write_tokens: e.cache_write_tokens ?? 0,
        cache_write_1h_tokens: Math.min(e.cache_write_1h_tokens ?? 0, e.cache_write_tokens ?? 0),
        reasoning_tokens: e.reasoning_tokens ?? 0,
      };
      const hasTokens = usage.tokens_in + usage.tokens_out + usage.cache_read_tokens + usage.cache_write_tokens > 0;
      const cost = e.cost_usd ?? (hasTokens ? (computeCost(e.model, usage, book).cost_usd ?? 0) : 0);
      note(p, e.project ?? '(no project)', e.model ?? '(no model)', Date.parse(e.client_timestamp!), { ...usage, cost });
    }
  });
  otlp.forEach((records, p) => {
    for (const r of records) {
      note(p, '(no project)', r.model, r.atMs, { tokens_in: r.tokensIn, tokens_out: r.tokensOut, cache_read_tokens: r.cacheRead ?? 0, cache_write_tokens: r.cacheWrite ?? 0, cost: r.cost });
    }
  });
  return out;
}

function rounded(m: Map<string, Figures>): Record<string, Figures> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, f]) => [k, { ...f, cost_usd: Math.round(f.cost_usd * 1e9) / 1e9 }]));
}

function served(b: TeamCostBreakdown): Record<string, Figures> {
  const m = new Map<string, Figures>();
  for (const r of b.rows) {
    m.set(r.key, { events: r.events, requests: r.requests, tokens_in: r.tokens_in, tokens_out: r.tokens_out, cache_read_tokens: r.cache_read_tokens, cache_write_tokens: r.cache_write_tokens, cost_usd: r.cost_usd });
  }
  return rounded(m);
}

async function post(url: string, token: string, body: string | Buffer, contentType = 'application/json'): Promise<number> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  await r.arrayBuffer();
  return r.status;
}

/** Run `fn` over `items` with at most `n` at once (2 shared cores). */
async function inWaves<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

describe('a fleet of 20 people on 3 machines pushing to one team server', { skip: skip ?? false }, () => {
  let team: RunningTeamServer;
  const people = Array.from({ length: PEOPLE }, (_, p) => p);
  const dirs: string[] = [];
  const tokens: string[] = [];
  const serves: (ServeProcess | null)[] = [];
  let pushed: EventInput[][] = [];
  let otlp: ApiRequestRecord[][] = [];
  /** Per person, OTLP records of requests their transcripts also hold (sent once the push is in). */
  let twins: ApiRequestRecord[][] = [];
  let expected: Expected;

  const sendOtlp = async (p: number, records: ApiRequestRecord[]) => {
    const request = claudeApiRequests({ 'host.name': machineOf(p), 'user.email': 'ignored@example.com' }, records);
    // Half the people's agents export JSON, the other half protobuf.
    const status =
      p % 2
        ? await post(`${team.url}/api/otel/v1/logs`, tokens[p], Buffer.from(encodeOtlpRequest('logs', request)), 'application/x-protobuf')
        : await post(`${team.url}/api/otel/v1/logs`, tokens[p], JSON.stringify(request));
    assert.equal(status, 200, `OTLP of ${person(p)}`);
  };

  before(async () => {
    const cluster = await startCluster();
    const url = await cluster.createDatabase('team_fleet');
    team = await startTeamServer({ port: 0, host: '127.0.0.1', token: SERVICE_TOKEN }, { databaseUrl: url, log: silentLogger });
    // The shared fixtures, imported once and read back as inputs: each person sends their own copy.
    const source = path.join(tmpDir(), 'fixtures.db');
    const imported = await runCli(['import', '--claude-dir', publicClaudeDir(), '--codex-dir', publicCodexDir(), '--db', source, '--quiet', '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    const core = await openCore({ config: loadConfig({} as NodeJS.ProcessEnv, { dbPath: source, watchLogs: false }), log: silentLogger, readOnly: true });
    const base: EventInput[] = [];
    try {
      for (let afterId = 0; ; ) {
        const page = (await core.store.query('listEvents', { filter: {}, after_id: afterId, limit: 1000 })).events;
        if (!page.length) break;
        base.push(...page.map(asInput));
        afterId = page[page.length - 1].id;
      }
    } finally {
      await core.close();
    }
    assert.ok(base.length > 100, `the fixtures hold events (${base.length})`);
    pushed = people.map((p) => personEvents(base, p));
    otlp = people.map(otlpOnly);
    // Two of each person's Claude requests are exported through OTLP too, with the same figures.
    twins = pushed.map((events) =>
      events
        .filter((e) => e.event_type === 'llm_request' && e.event_id?.startsWith('llm:claude-code:') && e.model)
        .slice(0, 2)
        .map((e) => {
          e.cost_usd = 0.02;
          return {
            sessionId: e.session_id,
            requestId: e.event_id!.slice(16),
            model: e.model!,
            tokensIn: e.tokens_in ?? 0,
            tokensOut: e.tokens_out ?? 0,
            cacheRead: e.cache_read_tokens ?? 0,
            cacheWrite: e.cache_write_tokens ?? 0,
            cost: 0.02,
            atMs: Date.parse(e.client_timestamp!),
          };
        }),
    );
    assert.ok(twins.every((t) => t.length === 2), 'the fixtures hold Claude requests for OTLP to repeat');
    expected = expectedFigures(pushed, otlp);
    for (const p of people) {
      tokens.push((await createToken(team.store.pool, person(p))).token);
      dirs.push(tmpDir());
    }
    // Each person's local server follows its store and pushes as its person, naming its machine.
    serves.push(
      ...(await inWaves(people, 4, (p) =>
        spawnServe(path.join(dirs[p], 'agentmonitor.db'), [], {
          HOME: dirs[p],
          AGENTMONITOR_TEAM_URL: team.url,
          AGENTMONITOR_TEAM_TOKEN: tokens[p],
          AGENTMONITOR_MACHINE: machineOf(p),
        }),
      )),
    );
  });
  after(async () => {
    await Promise.all(serves.map((s) => (s ? stopServe(s) : null)));
    await team?.close();
  });

  test('every local AgentMonitor pushes its fixtures, every agent exports OTLP: the totals per person, project, model and day are the known figures within 60 s', async () => {
    const started = Date.now();
    await inWaves(people, 4, async (p) => {
      for (let i = 0; i < pushed[p].length; i += 500) {
        assert.equal(await post(`${serves[p]!.url}/api/events/batch`, '', JSON.stringify(pushed[p].slice(i, i + 500))), 201);
      }
      await sendOtlp(p, otlp[p]);
    });
    const want = { person: rounded(expected.person), project: rounded(expected.project), model: rounded(expected.model), day: rounded(expected.day) };
    const byOf = async (by: string) => served((await getJson<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=${by}&tz=UTC&limit=500&since=2000-01-01T00:00:00Z`)).body);
    await waitFor('the team totals per person', async () => JSON.stringify(await byOf('person')) === JSON.stringify(want.person), 60_000 - (Date.now() - started));
    for (const by of ['person', 'project', 'model', 'day'] as const) assert.deepEqual(await byOf(by), want[by], `by=${by}`);
    assert.ok(Date.now() - started < 60_000, `the fleet took ${Date.now() - started} ms`);
    // Each person's sessions came from their machine (push: its name; OTLP: host.name).
    for (const p of people) {
      const sessions = (await getJson<SessionsPage>(`${team.url}/api/sessions?person=${encodeURIComponent(person(p))}&limit=200`)).body.sessions;
      assert.ok(sessions.length > 1);
      assert.deepEqual([...new Set(sessions.map((s) => s.machine))], [machineOf(p)], person(p));
    }
  });

  test('a request seen through OTLP and through the push counts once; pushing and exporting everything again changes nothing', async () => {
    const snapshot = async () => ({
      events: (await getJson<Health>(`${team.url}/api/health`)).body.events,
      person: served((await getJson<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=person&tz=UTC&limit=500&since=2000-01-01T00:00:00Z`)).body),
    });
    const before = await snapshot();
    await inWaves(people, 4, (p) => sendOtlp(p, twins[p]));
    assert.deepEqual(await snapshot(), before, 'the OTLP twins of pushed requests are duplicates');
    // Everything again: the local servers stop, their cursors go, and a push (in this process, from
    // each stopped server's file: `push --once` without its process start) sends it all.
    await Promise.all(serves.map((s) => stopServe(s!)));
    serves.length = 0;
    const results = await inWaves(people, 2, async (p) => {
      fs.rmSync(path.join(dirs[p], 'push'), { recursive: true, force: true });
      await sendOtlp(p, [...otlp[p], ...twins[p]]);
      return push({ to: team.url, token: tokens[p], dbPath: path.join(dirs[p], 'agentmonitor.db'), machine: machineOf(p), batchSize: 5000, log: silentLogger });
    });
    results.forEach((totals, p) => {
      assert.equal(totals.inserted, 0, person(p));
      assert.equal(totals.duplicates, pushed[p].length, person(p));
    });
    assert.deepEqual(await snapshot(), before);
  });

  test('a revoked token is refused: its push stops naming the 401, its OTLP gets 401', async () => {
    const p = PEOPLE - 1;
    await revokeTokens(team.store.pool, { person: person(p) });
    fs.rmSync(path.join(dirs[p], 'push'), { recursive: true, force: true });
    const r = await runCli(['push', '--once', '--to', team.url, '--db', path.join(dirs[p], 'agentmonitor.db')], { AGENTMONITOR_TEAM_TOKEN: tokens[p], HOME: dirs[p] });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /401/);
    const request = JSON.stringify(claudeApiRequests({}, otlp[p]));
    assert.equal(await post(`${team.url}/api/otel/v1/logs`, tokens[p], request), 401);
  });
});

if (skip) test(`a fleet on a team server: skipped (${skip})`, { skip }, () => {});

/**
 * Team access and push on a real PostgreSQL (`test/helpers/postgres.ts`), real HTTP on loopback and
 * real processes: `team token create|list|revoke`; a write needs a live token and is stored as its
 * person; a revoked token gets 401; reads need a token off loopback; `push` of a local store filled
 * from the shared fixtures gives the team server the local cost answers, a second push changes
 * nothing, a following push (and `serve` with the team env) forwards what arrives later, a push
 * killed with SIGKILL resumes from its cursor, and a team server killed with SIGKILL during a push
 * loses nothing it acknowledged while the push resumes once it is back.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Health, TeamCostBreakdown } from '../../src/core/contracts/api';
import type { StoredEvent } from '../../src/core/contracts/events';
import { loadConfig } from '../../src/core/config';
import { silentLogger } from '../../src/core/log';
import { openCore } from '../../src/core/runtime';
import { startServer, type RunningServer } from '../../src/core/server/server';
import { tokenHash } from '../../src/core/team/pgTokens';
import { cursorFileFor, pushEventId, readCursor } from '../../src/core/team/push';
import { startTeamServer, type RunningTeamServer } from '../../src/core/team/teamServer';
import { freePort, postgresSkipReason, startCluster, type TestCluster } from '../helpers/postgres';
import { cliCommand, runCli, spawnServe, stopServe } from '../helpers/serveProcess';
import { openSse } from '../helpers/sse';
import { tmpDir } from '../helpers/tmp';
import { publicClaudeDir, publicCodexDir } from './importHelpers';

const skip = postgresSkipReason();

async function req<T>(url: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url, { method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'), headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  return { status: r.status, body: (await r.json()) as T };
}

/** A GET with the Host header given (fetch always sends the URL's). */
function foreignHost(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method: 'GET', path: '/api/health', headers: { host }, setHost: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

/** A request with any Host (as a reverse proxy passes it): status, headers and body text. */
function viaProxy(port: number, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const r = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(data ? { 'content-type': 'application/json' } : {}) }, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    r.on('error', reject);
    r.end(data);
  });
}

/** `serve --database-url` as a child process on a given port; resolves once it listens. */
function spawnTeam(databaseUrl: string, port: number): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [...cliCommand(), 'serve', '--database-url', databaseUrl, '--port', String(port)], { env: { ...process.env, AGENTMONITOR_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /team server listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], exited });
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => reject(new Error(`team serve exited with ${code}: ${out}`)));
  });
}

async function createToken(databaseUrl: string, person: string): Promise<string> {
  const r = await runCli(['team', 'token', 'create', '--person', person, '--database-url', databaseUrl]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

/** Every stored event of a local database, oldest first (read-only). */
async function localEvents(dbPath: string): Promise<StoredEvent[]> {
  const core = await openCore({ config: loadConfig({} as NodeJS.ProcessEnv, { dbPath, watchLogs: false }), log: silentLogger, readOnly: true });
  try {
    const out: StoredEvent[] = [];
    for (let after = 0; ; ) {
      const page = (await core.store.query('listEvents', { filter: {}, after_id: after, limit: 1000 })).events;
      if (!page.length) return out;
      out.push(...page);
      after = page[page.length - 1].id;
    }
  } finally {
    await core.close();
  }
}

function rounded(b: TeamCostBreakdown): unknown {
  const r = (x: { cost_usd: number }) => ({ ...x, cost_usd: Math.round(x.cost_usd * 1e9) / 1e9 });
  return { rows: b.rows.map(r), totals: r(b.totals) };
}

describe('team tokens and push on PostgreSQL', { skip: skip ?? false }, () => {
  let cluster: TestCluster;
  /** A local database filled by `agentmonitor import` from the shared fixtures' transcripts. */
  let localDb: string;

  before(async () => {
    cluster = await startCluster();
    localDb = path.join(tmpDir(), 'agentmonitor.db');
    const imported = await runCli(['import', '--claude-dir', publicClaudeDir(), '--codex-dir', publicCodexDir(), '--db', localDb, '--quiet', '--json']);
    assert.equal(imported.code, 0, imported.stderr);
  });

  test('team token create prints a token once and stores its hash; list shows person, created, last used, revoked; revoke by id and by person', async () => {
    const url = await cluster.createDatabase('tokens_cli');
    const created = await runCli(['team', 'token', 'create', '--person', 'ana@example.com', '--database-url', url]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^amt_[A-Za-z0-9_-]{43}$/);
    assert.match(created.stderr, /token 1 for ana@example\.com \(shown once/);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const rows = (await db.query('SELECT * FROM am_tokens')).rows as Record<string, unknown>[];
      assert.equal(rows.length, 1);
      assert.equal(rows[0].token_sha256, tokenHash(token));
      assert.ok(!JSON.stringify(rows).includes(token), 'the token itself is not stored');
    } finally {
      await db.end();
    }
    await createToken(url, 'bo@example.com');
    await createToken(url, 'bo@example.com');
    // The environment names the database too.
    const listed = await runCli(['team', 'token', 'list'], { AGENTMONITOR_DATABASE_URL: url });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ID\s+PERSON\s+CREATED\s+LAST USED\s+REVOKED\n1\s+ana@example\.com\s+\d{4}-\d\d-\d\dT\S+Z\s+-\s+-\n/);
    assert.ok(!listed.stdout.includes(token));

    const byId = await runCli(['team', 'token', 'revoke', '1', '--database-url', url]);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(byId.stdout, 'revoked token 1 of ana@example.com\n');
    const again = await runCli(['team', 'token', 'revoke', '1', '--database-url', url]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no live token with id 1/);
    const byPerson = await runCli(['team', 'token', 'revoke', '--person', 'bo@example.com', '--database-url', url]);
    assert.equal(byPerson.stdout, 'revoked token 2 of bo@example.com\nrevoked token 3 of bo@example.com\n');
    const json = JSON.parse((await runCli(['team', 'token', 'list', '--json', '--database-url', url])).stdout) as { id: number; person: string; revoked_at: string | null }[];
    assert.deepEqual(json.map((t) => [t.id, t.person, typeof t.revoked_at]), [[1, 'ana@example.com', 'string'], [2, 'bo@example.com', 'string'], [3, 'bo@example.com', 'string']]);

    const noPerson = await runCli(['team', 'token', 'create', '--database-url', url]);
    assert.equal(noPerson.code, 2);
    assert.match(noPerson.stderr, /team token create needs --person EMAIL/);
    const noUrl = await runCli(['team', 'token', 'list'], { AGENTMONITOR_DATABASE_URL: '' });
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /no team database: pass --database-url/);
  });

  test('a write needs a live token and is stored as its person; a revoked token gets 401; foreign Host and Origin are refused; reads are open on loopback', async () => {
    const url = await cluster.createDatabase('tokens_http');
    const team = await startTeamServer({ port: 0, host: '127.0.0.1', token: null }, { databaseUrl: url, log: silentLogger });
    try {
      const ana = await createToken(url, 'ana@example.com');
      const ev = (id: string, email: string) => ({ event_id: id, session_id: `s-${id}`, agent_type: 'claude_code', event_type: 'llm_request', model: 'claude-sonnet-4-5', tokens_in: 1000, metadata: { 'user.email': email } });

      const none = await req<{ error: string }>(`${team.url}/api/events`, { body: ev('w0', 'ana@example.com') });
      assert.equal(none.status, 401);
      assert.match(none.body.error, /writes on this team server need a token: send "Authorization: Bearer <token>"/);
      const bogus = await req<{ error: string }>(`${team.url}/api/events/batch`, { body: [ev('w0', 'ana@example.com')], token: 'amt_' + 'x'.repeat(43) });
      assert.equal(bogus.status, 401);
      assert.match(bogus.body.error, /unknown token/);

      // Ana's token writes an event that claims to be Mallory's: it is stored as Ana's.
      const ok = await req<{ duplicate: boolean }>(`${team.url}/api/events`, { body: ev('w1', 'mallory@example.com'), token: ana });
      assert.equal(ok.status, 201);
      const batch = await req<{ duplicates: number }>(`${team.url}/api/events/batch`, { body: [ev('w2', 'mallory@example.com'), ev('w3', 'ana@example.com')], token: ana });
      assert.equal(batch.status, 201);
      const byPerson = (await req<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=person&tz=UTC`)).body;
      assert.deepEqual(byPerson.rows.map((r) => [r.key, r.events]), [['ana@example.com', 3]]);

      const listed = JSON.parse((await runCli(['team', 'token', 'list', '--json', '--database-url', url])).stdout) as { last_used_at: string | null }[];
      assert.ok(listed[0].last_used_at, 'last use recorded');

      const revoked = await runCli(['team', 'token', 'revoke', '--person', 'ana@example.com', '--database-url', url]);
      assert.equal(revoked.code, 0, revoked.stderr);
      const refused = await req<{ error: string }>(`${team.url}/api/events`, { body: ev('w4', 'ana@example.com'), token: ana });
      assert.equal(refused.status, 401);
      assert.match(refused.body.error, /^refused: token 1 of ana@example\.com was revoked on \d{4}-\d\d-\d\dT/);
      assert.equal((await req<Health>(`${team.url}/api/health`)).body.events, 3);

      const host = await foreignHost(team.port, `evil.example.com:${team.port}`);
      assert.equal(host.status, 403);
      assert.match(host.body, /DNS rebinding/);
      const bo = await createToken(url, 'bo@example.com');
      const origin = await req<{ error: string }>(`${team.url}/api/events`, { body: ev('w5', 'bo@example.com'), token: bo, headers: { origin: 'http://evil.example.com' } });
      assert.equal(origin.status, 403);
      assert.match(origin.body.error, /origin "http:\/\/evil\.example\.com" are not allowed/);
    } finally {
      await team.close();
    }
  });

  test('bound off loopback, reads need a live token too', async () => {
    const url = await cluster.createDatabase('tokens_wide');
    const team = await startTeamServer({ port: 0, host: '0.0.0.0', token: null }, { databaseUrl: url, log: silentLogger });
    try {
      const base = `http://127.0.0.1:${team.port}`;
      const open = await req<{ error: string }>(`${base}/api/stats/cost?by=person`);
      assert.equal(open.status, 401);
      assert.match(open.body.error, /reads on this team server need a token/);
      const cy = await createToken(url, 'cy@example.com');
      assert.equal((await req<TeamCostBreakdown>(`${base}/api/stats/cost?by=person`, { token: cy })).status, 200);
      assert.equal((await req<Health>(`${base}/api/health`, { token: cy })).body.storage, 'postgres');
      assert.equal((await req<Health>(`${base}/api/health`, { token: cy })).body.db_path.startsWith('postgres'), true, 'with a token, the whole health');
      await runCli(['team', 'token', 'revoke', '--person', 'cy@example.com', '--database-url', url]);
      assert.equal((await req<unknown>(`${base}/api/sessions`, { token: cy })).status, 401);
      // A load balancer's check: no token (or a dead one), and the answer says up and the backend, nothing else.
      for (const token of [undefined, cy]) assert.deepEqual(await req<unknown>(`${base}/api/health`, { token }), { status: 200, body: { status: 'ok', storage: 'postgres' } });
    } finally {
      await team.close();
    }
  });

  test('bound off loopback, the dashboard signs in with a token into an HttpOnly cookie that carries reads only', async () => {
    const url = await cluster.createDatabase('tokens_login');
    const team = await startTeamServer({ port: 0, host: '0.0.0.0', token: null }, { databaseUrl: url, log: silentLogger });
    try {
      const base = `http://127.0.0.1:${team.port}`;
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /data-testid="team-login"/, 'without a token the page is the sign-in form');
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'.*form-action 'none'/);
      assert.equal((await fetch(`${base}/media/icon.svg`)).status, 200, 'static files need no token');
      const login = (body: unknown, headers: Record<string, string> = {}) => fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const missing = await login({});
      assert.equal(missing.status, 400);
      assert.match(((await missing.json()) as { error: string }).error, /token/);
      const wrong = await login({ token: 'amt_nonsense' });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.headers.get('set-cookie'), null);
      const cy = await createToken(url, 'cy@example.com');
      assert.equal((await login({ token: cy }, { origin: 'http://evil.example' })).status, 403, 'a foreign page cannot sign a browser in');
      const ok = await login({ token: cy });
      assert.equal(ok.status, 204);
      const setCookie = ok.headers.get('set-cookie') ?? '';
      assert.match(setCookie, /^agentmonitor_team=amt_[^;]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
      const cookie = setCookie.split(';')[0];
      assert.equal((await fetch(`${base}/api/sessions`, { headers: { cookie } })).status, 200, 'the cookie carries reads');
      assert.doesNotMatch(await (await fetch(`${base}/`, { headers: { cookie } })).text(), /team-login/, 'signed in, the page is the dashboard');
      const write = await fetch(`${base}/api/events`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ session_id: 's', agent_type: 'codex', event_type: 'session_start' }) });
      assert.equal(write.status, 401, 'but never a write');
      const https = await login({ token: cy }, { 'x-forwarded-proto': 'https' });
      assert.match(https.headers.get('set-cookie') ?? '', /; Secure$/);
      const out = await fetch(`${base}/api/logout`, { method: 'POST' });
      assert.match(out.headers.get('set-cookie') ?? '', /^agentmonitor_team=; .*Max-Age=0/);
      await runCli(['team', 'token', 'revoke', '--person', 'cy@example.com', '--database-url', url]);
      assert.equal((await fetch(`${base}/api/sessions`, { headers: { cookie } })).status, 401, 'a revoked token ends the sign-in at once');
      assert.match(await (await fetch(`${base}/`, { headers: { cookie } })).text(), /team-login/);
    } finally {
      await team.close();
    }
  });

  test('behind a reverse proxy (--public-url): its Host and Origin are accepted, the sign-in cookie is Secure, and reads need a token on a loopback bind', async () => {
    const url = await cluster.createDatabase('tokens_proxy');
    const team = await startTeamServer({ port: 0, host: '127.0.0.1', token: null, publicUrl: 'https://team.example.com' }, { databaseUrl: url, log: silentLogger });
    try {
      const pub = { host: 'team.example.com' };
      assert.equal((await viaProxy(team.port, 'GET', '/api/sessions', pub)).status, 401, 'the proxy comes from loopback, reads still need a token');
      assert.equal((await viaProxy(team.port, 'GET', '/api/sessions', { host: `127.0.0.1:${team.port}` })).status, 401);
      assert.match((await viaProxy(team.port, 'GET', '/', pub)).body, /data-testid="team-login"/);
      assert.deepEqual(JSON.parse((await viaProxy(team.port, 'GET', '/api/health', pub)).body), { status: 'ok', storage: 'postgres' });
      const cy = await createToken(url, 'cy@example.com');
      const login = await viaProxy(team.port, 'POST', '/api/login', { ...pub, origin: 'https://team.example.com' }, { token: cy });
      assert.equal(login.status, 204, login.body);
      const setCookie = String(login.headers['set-cookie'] ?? '');
      assert.match(setCookie, /HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200; Secure$/);
      const cookie = setCookie.split(';')[0];
      assert.equal((await viaProxy(team.port, 'GET', '/api/sessions', { ...pub, cookie })).status, 200);
      for (const [headers, why] of [
        [{ host: 'evil.example', cookie }, 'another Host'],
        [{ host: 'team.example.com:8443', cookie }, 'another port'],
        [{ ...pub, origin: 'https://evil.example' }, 'another Origin'],
        [{ ...pub, origin: 'http://team.example.com' }, 'the public origin over http'],
      ] as [Record<string, string>, string][]) {
        assert.equal((await viaProxy(team.port, 'POST', '/api/login', headers, { token: cy })).status, 403, why);
      }
    } finally {
      await team.close();
    }
    const alone = await runCli(['serve', '--public-url', 'https://team.example.com']);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /--public-url is for a team server behind a reverse proxy; it needs --database-url/);
    const bad = await runCli(['serve', '--database-url', url, '--public-url', 'https://team.example.com/dash']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--public-url must be an http\(s\) origin without path/);
  });

  describe('push', () => {
    let local: RunningServer;
    let team: RunningTeamServer;
    let teamDbUrl: string;
    let token: string;
    const QUERIES = ['by=model', 'by=day', 'by=project', 'by=agent'].map((q) => `/api/stats/cost?${q}&tz=UTC`);

    before(async () => {
      teamDbUrl = await cluster.createDatabase('push_fixtures');
      team = await startTeamServer({ port: 0, host: '127.0.0.1', token: null }, { databaseUrl: teamDbUrl, log: silentLogger });
      token = await createToken(teamDbUrl, 'dev@example.com');
    });
    after(async () => {
      await local?.close();
      await team?.close();
    });

    test('push --once of a local store gives the team server the same cost answers; pushing again changes nothing', async () => {
      // A live local server owns the database: push reads through its API. Events without an
      // event_id (posted here) are pushed with one derived from the stored row.
      local = await startServer({ port: 0, host: '127.0.0.1', dbPath: localDb, watchLogs: false }, { log: silentLogger, env: { HOME: path.dirname(localDb) } });
      const extra = [0, 1, 2].map((i) => ({ session_id: 'posted', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 100 + i, client_timestamp: '2026-02-23T10:00:0' + i + 'Z' }));
      assert.equal((await req(`${local.url}/api/events/batch`, { body: extra })).status, 201);
      const first = await runCli(['push', '--to', team.url, '--token', token, '--db', localDb, '--once', '--json', '--batch', '100']);
      assert.equal(first.code, 0, first.stderr);
      const totals = JSON.parse(first.stdout) as { events: number; inserted: number; duplicates: number; lastId: number };
      const localHealth = (await req<Health>(`${local.url}/api/health`)).body;
      assert.ok(localHealth.events > 100, `the fixtures hold events (${localHealth.events})`);
      assert.equal(totals.events, localHealth.events);
      assert.equal(totals.inserted, localHealth.events);
      assert.equal((await req<Health>(`${team.url}/api/health`)).body.events, localHealth.events);
      const answers: unknown[] = [];
      for (const q of QUERIES) {
        const want = (await req<TeamCostBreakdown>(local.url + q)).body;
        const got = (await req<TeamCostBreakdown>(team.url + q)).body;
        assert.ok(want.rows.length >= 1, q);
        assert.deepEqual(rounded(got), rounded(want), q);
        answers.push(got);
      }
      const person = (await req<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=person&tz=UTC`)).body;
      assert.deepEqual(person.rows.map((r) => [r.key, r.events]), [['dev@example.com', localHealth.events]]);

      // The cursor says everything was sent: a second push sends nothing.
      const second = await runCli(['push', '--to', team.url, '--token', token, '--db', localDb, '--once', '--json']);
      assert.equal(JSON.parse(second.stdout).events, 0, second.stderr);
      // Without the cursor (lost, or another machine's copy), and with the database read from the
      // file (the local server stopped): everything is sent again and nothing changes.
      await local.close();
      fs.rmSync(cursorFileFor(localDb, team.url));
      const third = await runCli(['push', '--to', team.url, '--token', token, '--db', localDb, '--once', '--json']);
      assert.equal(third.code, 0, third.stderr);
      const again = JSON.parse(third.stdout) as { events: number; duplicates: number };
      assert.equal(again.events, localHealth.events);
      assert.equal(again.duplicates, localHealth.events);
      for (const [i, q] of QUERIES.entries()) assert.deepEqual((await req<TeamCostBreakdown>(team.url + q)).body, answers[i], q);
    });

    test('a push with a revoked token stops with 401 naming the URL; a bad URL is refused', async () => {
      const other = await createToken(teamDbUrl, 'gone@example.com');
      await runCli(['team', 'token', 'revoke', '--person', 'gone@example.com', '--database-url', teamDbUrl]);
      const db = path.join(tmpDir(), 'agentmonitor.db');
      fs.copyFileSync(localDb, db);
      const r = await runCli(['push', '--to', team.url, '--token', other, '--db', db, '--once']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`the team server ${team.url.replace(/[.]/g, '\\.')} refused \\d+ events with 401: refused: token \\d+ of gone@example\\.com was revoked`));
      assert.equal(readCursor(cursorFileFor(db, team.url)), null, 'nothing acknowledged, no cursor');
      const bad = await runCli(['push', '--to', 'ftp://x', '--token', other, '--db', db, '--once']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /--to must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/x"/);
    });
  });

  test('push follows: an event the local server takes after the backlog reaches the team server; SIGTERM stops it cleanly', async () => {
    const url = await cluster.createDatabase('push_follow');
    const team = await startTeamServer({ port: 0, host: '127.0.0.1', token: null }, { databaseUrl: url, log: silentLogger });
    const token = await createToken(url, 'eve@example.com');
    const db = path.join(tmpDir(), 'agentmonitor.db');
    fs.copyFileSync(localDb, db);
    const local = await startServer({ port: 0, host: '127.0.0.1', dbPath: db, watchLogs: false }, { log: silentLogger, env: { HOME: path.dirname(db) } });
    const sse = await openSse(`${team.url}/api/stream`);
    const pushProc = spawn(process.execPath, [...cliCommand(), 'push', '--to', team.url, '--token', token, '--db', db, '--interval', '0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    pushProc.stdout!.on('data', (d) => (out += d));
    pushProc.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => pushProc.on('close', resolve));
    try {
      const backlog = (await local.core.store.query('listEvents', { filter: {}, limit: 1 })).events[0];
      assert.equal((await sse.waitFor('event', (m) => m.event.event_id === pushEventId(backlog), 60_000)).event.session_id, backlog.session_id);
      const posted = await req<{ id: number }>(`${local.url}/api/events`, { body: { event_id: 'followed-1', session_id: 'followed', agent_type: 'codex', event_type: 'llm_request', model: 'gpt-5', tokens_in: 321 } });
      assert.equal(posted.status, 201);
      const got = await sse.waitFor('event', (m) => m.event.event_id === 'followed-1', 60_000);
      assert.equal(got.event.tokens_in, 321);
      pushProc.kill('SIGTERM');
      assert.equal(await exited, 0, err);
      assert.match(out, /^pushed \d+ events to http:\/\/127\.0\.0\.1:\d+: \d+ new, 0 already there; cursor at local id \d+/);
      assert.equal(readCursor(cursorFileFor(db, team.url))!.last_id, posted.body.id);
    } finally {
      pushProc.kill('SIGKILL');
      sse.close();
      await local.close();
      await team.close();
    }
  });

  test('serve with AGENTMONITOR_TEAM_URL and _TOKEN (the extension\'s team settings) pushes what the local server takes', async () => {
    const url = await cluster.createDatabase('push_serve');
    const team = await startTeamServer({ port: 0, host: '127.0.0.1', token: null }, { databaseUrl: url, log: silentLogger });
    const token = await createToken(url, 'fay@example.com');
    const sse = await openSse(`${team.url}/api/stream`);
    const local = await spawnServe(path.join(tmpDir(), 'agentmonitor.db'), [], { AGENTMONITOR_TEAM_URL: team.url, AGENTMONITOR_TEAM_TOKEN: token });
    try {
      const posted = await req<{ id: number }>(`${local.url}/api/events`, { body: { event_id: 'served-1', session_id: 'served', agent_type: 'claude_code', event_type: 'llm_request', model: 'claude-sonnet-4-5', tokens_in: 77 } });
      assert.equal(posted.status, 201);
      assert.equal((await sse.waitFor('event', (m) => m.event.event_id === 'served-1', 60_000)).event.tokens_in, 77);
      const byPerson = (await req<TeamCostBreakdown>(`${team.url}/api/stats/cost?by=person&tz=UTC`)).body;
      assert.deepEqual(byPerson.rows.map((r) => [r.key, r.events]), [['fay@example.com', 1]]);
      assert.equal(await stopServe(local), 0);
      assert.match(local.output(), /pushing this database's events to the team server http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      local.child.kill('SIGKILL');
      sse.close();
      await team.close();
    }
  });

  test('kill -9 of the push itself: the next push resumes from its cursor and the team totals equal the local ones', async () => {
    const url = await cluster.createDatabase('push_crash');
    const team = await startTeamServer({ port: 0, host: '127.0.0.1', token: null }, { databaseUrl: url, log: silentLogger });
    const token = await createToken(url, 'gus@example.com');
    const db = path.join(tmpDir(), 'agentmonitor.db');
    fs.copyFileSync(localDb, db);
    const events = await localEvents(db);
    try {
      const first = spawn(process.execPath, [...cliCommand(), 'push', '--to', team.url, '--token', token, '--db', db, '--once', '--batch', '5'], { stdio: ['ignore', 'ignore', 'pipe'] });
      const closed = new Promise<void>((resolve) => first.on('close', () => resolve()));
      let err = '';
      await new Promise<void>((resolve) => {
        first.stderr!.on('data', (d) => {
          err += d;
          if (/push: sent 5 events/.test(err)) resolve();
        });
      });
      first.kill('SIGKILL');
      await closed;
      const cursor = readCursor(cursorFileFor(db, team.url))!;
      assert.ok(cursor.last_id > 0 && cursor.last_id < events[events.length - 1].id, `killed during the push (cursor ${cursor.last_id})`);
      const second = await runCli(['push', '--to', team.url, '--token', token, '--db', db, '--once', '--json']);
      assert.equal(second.code, 0, second.stderr);
      const totals = JSON.parse(second.stdout) as { events: number; inserted: number; duplicates: number };
      assert.equal(totals.events, events.filter((e) => e.id > cursor.last_id).length, 'it resumed from the cursor');
      assert.ok(totals.duplicates <= 5, `at most the batch in flight was sent twice (${totals.duplicates})`);
      assert.equal((await req<Health>(`${team.url}/api/health`)).body.events, events.length);
      const local = await startServer({ port: 0, host: '127.0.0.1', dbPath: db, watchLogs: false }, { log: silentLogger, env: { HOME: path.dirname(db) } });
      try {
        for (const q of ['by=model', 'by=day']) {
          const want = (await req<TeamCostBreakdown>(`${local.url}/api/stats/cost?${q}&tz=UTC`)).body;
          assert.deepEqual(rounded((await req<TeamCostBreakdown>(`${team.url}/api/stats/cost?${q}&tz=UTC`)).body), rounded(want), q);
        }
      } finally {
        await local.close();
      }
    } finally {
      await team.close();
    }
  });

  test('kill -9 of the team server during a push loses nothing acknowledged; the push resumes when it is back', async () => {
    const url = await cluster.createDatabase('push_kill');
    const port = await freePort();
    let server = await spawnTeam(url, port);
    const token = await createToken(url, 'dev@example.com');
    const db = path.join(tmpDir(), 'agentmonitor.db');
    fs.copyFileSync(localDb, db);
    const events = await localEvents(db);
    const pushProc = spawn(process.execPath, [...cliCommand(), 'push', '--to', server.url, '--token', token, '--db', db, '--once', '--json', '--batch', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    pushProc.stdout!.on('data', (d) => (out += d));
    const pushed = new Promise<number | null>((resolve) => pushProc.on('close', resolve));
    // Kill the team server once it acknowledged a first batch, while the push is under way.
    await new Promise<void>((resolve) => {
      pushProc.stderr!.on('data', (d) => {
        err += d;
        if (/push: sent 5 events/.test(err)) resolve();
      });
    });
    server.child.kill('SIGKILL');
    await server.exited;
    await new Promise<void>((resolve) => {
      const onData = () => {
        if (/did not take 5 events/.test(err)) {
          pushProc.stderr!.off('data', onData);
          resolve();
        }
      };
      pushProc.stderr!.on('data', onData);
      onData();
    });
    const cursor = readCursor(cursorFileFor(db, server.url))!;
    assert.ok(cursor.last_id > 0 && cursor.last_id < events[events.length - 1].id, `killed during the push (cursor ${cursor.last_id})`);
    const acknowledged = events.filter((e) => e.id <= cursor.last_id).map(pushEventId);
    const pgc = new pg.Client({ connectionString: url });
    await pgc.connect();
    try {
      const stored = (await pgc.query<{ n: string }>('SELECT count(*) AS n FROM am_event_ids WHERE event_id = ANY($1)', [acknowledged])).rows[0].n;
      assert.equal(Number(stored), acknowledged.length, 'every acknowledged event is in PostgreSQL');
    } finally {
      await pgc.end();
    }
    server = await spawnTeam(url, port);
    try {
      assert.equal(await pushed, 0, err);
      const totals = JSON.parse(out) as { events: number; lastId: number };
      assert.equal(totals.lastId, events[events.length - 1].id);
      const health = (await req<Health>(`${server.url}/api/health`)).body;
      assert.equal(health.events, events.length);
      const team = (await req<TeamCostBreakdown>(`${server.url}/api/stats/cost?by=model&tz=UTC`)).body;
      const local = await startServer({ port: 0, host: '127.0.0.1', dbPath: db, watchLogs: false }, { log: silentLogger, env: { HOME: path.dirname(db) } });
      try {
        assert.deepEqual(rounded(team), rounded((await req<TeamCostBreakdown>(`${local.url}/api/stats/cost?by=model&tz=UTC`)).body));
      } finally {
        await local.close();
      }
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

if (skip) test(`team tokens and push: skipped (${skip})`, { skip }, () => {});

/**
 * The extension's server supervisor and live connection without VS Code: forks the real
 * dist/cli.js (built by `npm run build`) as the extension does, with two "windows" on one port.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CONVERTING_NOTICE } from '../../src/core/contracts/storeWorker';
import { ServerSupervisor, type SupervisorOptions } from '../../src/extension/server/supervisor';
import type { ServerState } from '../../src/extension/server/serverState';
import { LiveConnection } from '../../src/extension/api/liveConnection';
import { DEFAULT_SETTINGS, serverEnv, baseUrl } from '../../src/extension/settings';
import { tmpDir } from '../helpers/tmp';
import { deadPort } from '../helpers/hookFixtures';

const root = path.resolve(__dirname, '..', '..');
const cliPath = path.join(root, 'dist', 'cli.js');

before(() => {
  assert.ok(fs.existsSync(cliPath), 'dist/cli.js missing: run `npm run build` first');
});

interface Window {
  sup: ServerSupervisor;
  logs: string[];
  states: ServerState[];
}

/** A window's supervisor; `port` may be a function, read at each start like the port setting. */
function window(port: number | (() => number), dir: string, over: Partial<SupervisorOptions> = {}): Window {
  const logs: string[] = [];
  const states: ServerState[] = [];
  const portNow = typeof port === 'number' ? () => port : port;
  const settings = () => ({ ...DEFAULT_SETTINGS, port: portNow(), dbPath: path.join(dir, 'agentmonitor.db'), watchLogs: false });
  const sup = new ServerSupervisor({
    cliPath,
    execPath: process.execPath,
    env: () => ({ ...serverEnv(settings(), process.env), HOME: dir }),
    baseUrl: () => baseUrl(settings()),
    port: portNow,
    log: (level, line) => logs.push(`${level}: ${line}`),
    policy: { initialMs: 50, maxMs: 200, factor: 2, maxCrashes: 3, windowMs: 60_000, stableAfterMs: 60_000 },
    ...over,
  });
  sup.onDidChangeState((s) => states.push(s));
  return { sup, logs, states };
}

/** Resolves when `pred` holds, re-checking on every state change / poll; fails with context after a generous bound. */
async function until<T>(what: string, pred: () => T | undefined | false, context: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const v = pred();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function getJson(url: string): Promise<any> {
  const res = await fetch(url);
  return res.json();
}

async function postEvent(url: string, body: object): Promise<void> {
  const res = await fetch(`${url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status < 300, true, `POST /api/events answered ${res.status}: ${await res.text()}`);
}

test('owner and follower on one port; follower takes over when the owner stops; data survives', async () => {
  const dir = tmpDir();
  const port = await deadPort();
  const a = window(port, dir);
  const b = window(port, dir);
  try {
    const sa = await a.sup.start();
    assert.equal(sa.kind, 'owner', a.logs.join('\n'));
    const url = (sa as { url: string }).url;
    const health = await getJson(`${url}/api/health`);
    assert.equal(health.service, 'agentmonitor');
    assert.equal(health.pid, a.sup.childPid, 'the health answer comes from the child this window forked');

    const sb = await b.sup.start();
    assert.deepEqual(sb, { kind: 'follower', url, pid: a.sup.childPid });
    assert.equal(b.sup.childPid, null, 'a follower forks nothing');

    const live = new LiveConnection(b.sup, { log: () => {}, coalesceMs: 20 });
    const batches: number[] = [];
    live.onDidChange(() => batches.push(Date.now()));
    await until('follower connected', () => live.status.state === 'connected');
    await postEvent(url, { session_id: 'sess-1', agent_type: 'claude-code', event_type: 'session_start', project: '/w/shop' });
    for (let i = 0; i < 20; i++) {
      await postEvent(url, { session_id: 'sess-1', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', status: 'success', event_id: `t${i}` });
    }
    const s = await until('session in the follower model', () => live.model.getSession('sess-1'));
    assert.equal(s.agent_type, 'claude-code');
    await until('all events counted', () => (live.model.getSession('sess-1')?.event_count ?? 0) >= 21 && live.model.getSession('sess-1'));
    assert.ok(batches.length < 21, `a burst of 21 events repaints in fewer batches (got ${batches.length})`);

    const ownerPid = a.sup.childPid!;
    await a.sup.stop();
    assert.equal(a.sup.state.kind, 'stopped');
    assert.throws(() => process.kill(ownerPid, 0), 'the owner process is gone after stop');

    const taken = await until('follower takes the port over', () => (b.sup.state.kind === 'owner' ? b.sup.state : undefined), () => b.logs.join('\n'));
    assert.equal(taken.url, url);
    assert.equal((await getJson(`${url}/api/health`)).pid, b.sup.childPid);
    await until('live connection back', () => live.status.state === 'connected');
    const sessions = await getJson(`${url}/api/sessions`);
    assert.ok(sessions.sessions.some((x: { session_id: string }) => x.session_id === 'sess-1'), 'events acknowledged by the old owner survive the takeover');
    live.dispose();
  } finally {
    await a.sup.stop();
    await b.sup.stop();
    a.sup.dispose();
    b.sup.dispose();
  }
});

test('a port change in two windows at once: one owner and one follower on the new port, no crash counted', async () => {
  const dir = tmpDir();
  let port = await deadPort();
  const a = window(() => port, dir);
  const b = window(() => port, dir);
  try {
    assert.equal((await a.sup.start()).kind, 'owner', a.logs.join('\n'));
    assert.equal((await b.sup.start()).kind, 'follower', b.logs.join('\n'));
    // Each window restarts on the settings change: the old owner is still flushing (and holds the
    // database) while the other window's new server starts; the loser of the race must follow.
    for (let round = 0; round < 3; round++) {
      port = await deadPort();
      const url = `http://127.0.0.1:${port}`;
      const since = [a.states.length, b.states.length];
      const [sa, sb] = await Promise.all([a.sup.restart(), b.sup.restart()]);
      const context = () => `a: ${JSON.stringify(sa)}\n${a.logs.join('\n')}\nb: ${JSON.stringify(sb)}\n${b.logs.join('\n')}`;
      assert.deepEqual([sa.kind, sb.kind].sort(), ['follower', 'owner'], context());
      assert.equal((sa as { url: string }).url, url);
      assert.equal((sb as { url: string }).url, url);
      const owner = sa.kind === 'owner' ? a : b;
      assert.equal((await getJson(`${url}/api/health`)).pid, owner.sup.childPid);
      const troubled = [...a.states.slice(since[0]), ...b.states.slice(since[1])].filter((s) => s.kind === 'crashed' || s.kind === 'failed');
      assert.deepEqual(troubled, [], context());
    }
  } finally {
    await a.sup.stop();
    await b.sup.stop();
    a.sup.dispose();
    b.sup.dispose();
  }
});

/**
 * What another window's server looks like while it opens the database: a live pid in the lock,
 * port 0 (not listening yet). A server started beside it refuses to start and exits 1.
 */
function holdDatabase(dir: string): ChildProcess {
  const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const lock = { pid: holder.pid, port: 0, host: '127.0.0.1', started_at: new Date().toISOString() };
  fs.writeFileSync(path.join(dir, 'agentmonitor.db.lock'), JSON.stringify(lock), { mode: 0o600 });
  return holder;
}

test('a database held by another starting AgentMonitor is waited for, not counted as crashes; its end lets ours start', async () => {
  const dir = tmpDir();
  const port = await deadPort();
  const holder = holdDatabase(dir);
  const w = window(port, dir);
  try {
    const started = w.sup.start();
    await until('the window waits for the holder', () => w.logs.some((l) => l.includes(`another AgentMonitor (pid ${holder.pid}) holds the database`)), () => w.logs.join('\n'));
    assert.equal(w.sup.state.kind, 'starting');
    holder.kill('SIGKILL');
    const s = await started;
    assert.equal(s.kind, 'owner', w.logs.join('\n'));
    assert.deepEqual(w.states.filter((x) => x.kind === 'crashed' || x.kind === 'failed'), [], w.logs.join('\n'));
  } finally {
    holder.kill('SIGKILL');
    await w.sup.stop();
    w.sup.dispose();
  }
});

test('a database that stays held by another AgentMonitor ends in a message naming it, not a crash loop', async () => {
  const dir = tmpDir();
  const port = await deadPort();
  const holder = holdDatabase(dir);
  const w = window(port, dir, { startTimeoutMs: 3000 });
  try {
    const s = await w.sup.start();
    assert.equal(s.kind, 'failed', w.logs.join('\n'));
    assert.match((s as { message: string }).message, new RegExp(`held by another AgentMonitor \\(pid ${holder.pid}\\)`));
    assert.match((s as { message: string }).message, /agentMonitor\.databasePath/);
    assert.equal(w.states.filter((x) => x.kind === 'crashed').length, 0);
  } finally {
    holder.kill('SIGKILL');
    w.sup.dispose();
  }
});

test('a server that says it converts its database is waited for past the start timeout', async () => {
  const dir = tmpDir();
  const port = await deadPort();
  // The real server, started the way a long conversion starts it: the notice on stderr first,
  // then three times the start timeout before it goes on (a big database's conversion).
  const slow = path.join(dir, 'converting-cli.js');
  fs.writeFileSync(
    slow,
    `process.stderr.write(${JSON.stringify(CONVERTING_NOTICE)} + ' (test)\\n');\nsetTimeout(() => require(${JSON.stringify(cliPath)}), 3000);\n`,
  );
  const w = window(port, dir, { cliPath: slow, startTimeoutMs: 1000 });
  try {
    const s = await w.sup.start();
    assert.equal(s.kind, 'owner', w.logs.join('\n'));
    assert.ok(w.logs.some((l) => l.includes(CONVERTING_NOTICE)));
    assert.equal(w.states.filter((x) => x.kind === 'crashed').length, 0);
  } finally {
    await w.sup.stop();
    w.sup.dispose();
  }
});

test('a crashed server is restarted with a new process', async () => {
  const dir = tmpDir();
  const port = await deadPort();
  const w = window(port, dir);
  try {
    assert.equal((await w.sup.start()).kind, 'owner', w.logs.join('\n'));
    const first = w.sup.childPid!;
    process.kill(first, 'SIGKILL');
    await until('crash noticed', () => w.states.some((s) => s.kind === 'crashed'));
    const back = await until('owner again', () => (w.sup.state.kind === 'owner' && w.sup.childPid !== first ? w.sup.state : undefined), () => w.logs.join('\n'));
    assert.notEqual(back.pid, first);
    assert.ok(w.logs.some((l) => /exited unexpectedly with SIGKILL/.test(l)));
  } finally {
    await w.sup.stop();
    w.sup.dispose();
  }
});

test('a foreign program on the port gives a message naming the port setting', async () => {
  const dir = tmpDir();
  const foreign = http.createServer((_req, res) => res.writeHead(404).end('nope'));
  await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
  const port = (foreign.address() as AddressInfo).port;
  const w = window(port, dir);
  try {
    const s = await w.sup.start();
    assert.equal(s.kind, 'foreign');
    assert.match((s as { message: string }).message, /agentMonitor\.port/);
    assert.match((s as { message: string }).message, new RegExp(`Port ${port}`));
    assert.equal(w.sup.childPid, null);
  } finally {
    w.sup.dispose();
    await new Promise<void>((r) => foreign.close(() => r()));
  }
});

test('a server that keeps crashing ends in the failed state instead of a restart loop', async () => {
  const dir = tmpDir();
  const bad = path.join(dir, 'crash.js');
  fs.writeFileSync(bad, "process.stderr.write('boom: cannot open database\\n'); process.exit(3);\n");
  const port = await deadPort();
  const w = window(port, dir, { cliPath: bad });
  try {
    await w.sup.start();
    const failed = await until('failed state', () => (w.sup.state.kind === 'failed' ? w.sup.state : undefined), () => w.logs.join('\n'));
    assert.match(failed.message, /3 crashes in a row/);
    assert.ok(w.logs.some((l) => l.includes('boom: cannot open database')), 'child output reaches the log');
    const crashes = w.states.filter((s) => s.kind === 'crashed').length;
    assert.equal(crashes, 2, 'restarted twice with backoff, then gave up');
  } finally {
    w.sup.dispose();
  }
});

test('restart of a stopped supervisor starts a fresh server; stop sends SIGTERM and the server exits cleanly', async () => {
  const dir = tmpDir();
  const port = await deadPort();
  const w = window(port, dir);
  try {
    assert.equal((await w.sup.start()).kind, 'owner');
    const pid = w.sup.childPid!;
    const s = await w.sup.restart();
    assert.equal(s.kind, 'owner');
    assert.notEqual(w.sup.childPid, pid);
    await w.sup.stop();
    assert.ok(w.logs.some((l) => /SIGTERM: flushing and stopping/.test(l)), w.logs.join('\n'));
    assert.ok(!w.logs.some((l) => /did not stop within/.test(l)));
  } finally {
    w.sup.dispose();
  }
});

test('export pages through every stored event into CSV and JSON files', async () => {
  const { exportEvents, CSV_COLUMNS } = await import('../../src/extension/api/exporter');
  const { ApiClient } = await import('../../src/extension/api/apiClient');
  const dir = tmpDir();
  const port = await deadPort();
  const w = window(port, dir);
  try {
    const s = await w.sup.start();
    assert.equal(s.kind, 'owner', w.logs.join('\n'));
    const url = (s as { url: string }).url;
    for (let i = 0; i < 23; i++) {
      await postEvent(url, { session_id: `s${i % 3}`, agent_type: 'codex', event_type: 'tool_use', tool_name: i === 5 ? 'Shell, "quoted"' : 'Shell', event_id: `x${i}` });
    }
    const api = new ApiClient(url);
    const csvFile = path.join(dir, 'out.csv');
    const pages: number[] = [];
    const r = await exportEvents(api, csvFile, 'csv', { pageSize: 7, onPage: (n) => pages.push(n) });
    assert.deepEqual(r, { rows: 23, cancelled: false });
    assert.deepEqual(pages.slice(0, 4), [7, 14, 21, 23]);
    const lines = fs.readFileSync(csvFile, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], CSV_COLUMNS.join(','));
    assert.equal(lines.length, 24);
    assert.ok(lines.some((l) => l.includes('"Shell, ""quoted"""')));
    const jsonFile = path.join(dir, 'out.json');
    await exportEvents(api, jsonFile, 'json', { pageSize: 10 });
    const rows = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as { event_id: string }[];
    assert.deepEqual(rows.map((x) => x.event_id).sort(), Array.from({ length: 23 }, (_, i) => `x${i}`).sort());
    const cancelled = await exportEvents(api, path.join(dir, 'never.csv'), 'csv', { pageSize: 5, isCancelled: () => true });
    assert.equal(cancelled.cancelled, true);
    assert.equal(fs.existsSync(path.join(dir, 'never.csv')), false, 'a cancelled export leaves no file');
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.partial-')), []);
  } finally {
    await w.sup.stop();
    w.sup.dispose();
  }
});

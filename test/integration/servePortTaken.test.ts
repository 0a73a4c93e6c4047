/**
 * `agentmonitor serve` on a port that is already taken (issue 19), with real processes on a real
 * taken port: it names who holds the port, releases its lock and exits 1 (it used to print
 * "Cannot read properties of null (reading 'port')", keep running and leave the lock).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { runCli, spawnServe, stopServe } from '../helpers/serveProcess';
import { tmpDir } from '../helpers/tmp';

/** A plain TCP server (not HTTP) holding a port on 127.0.0.1. */
async function plainServer(): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // close() waits for every connection: one the probing client left half-open would hold it (and
  // the test file) until the runner found the event loop empty and cancelled the file's tests.
  after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

// A run that hangs (the bug) fails here instead of holding the test run forever.
const HANG_GUARD = { timeout: 120_000 };

test('serve on a port another program holds: names it, exits 1, leaves no lock', HANG_GUARD, async () => {
  const port = await plainServer();
  const db = path.join(tmpDir('cli-port-'), 'agentmonitor.db');
  const r = await runCli(['serve', '--port', String(port), '--db', db, '--no-watch']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use by another program, not AgentMonitor`));
  assert.match(r.stderr, /--port/);
  assert.doesNotMatch(r.stderr, /Cannot read properties/);
  assert.equal(fs.existsSync(`${db}.lock`), false, 'the lock is released');
});

test('serve on a port a running AgentMonitor holds: names its URL, pid and database, exits 1, leaves no lock', HANG_GUARD, async () => {
  const dir = tmpDir('cli-port-');
  const runningDb = path.join(dir, 'running.db');
  const running = await spawnServe(runningDb);
  after(() => running.child.kill('SIGKILL'));
  const port = new URL(running.url).port;
  const db = path.join(dir, 'second.db');
  const r = await runCli(['serve', '--port', port, '--db', db, '--no-watch']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is taken by another AgentMonitor \\(pid ${running.child.pid}, `));
  assert.ok(r.stderr.includes(`database ${runningDb}`), r.stderr);
  assert.ok(r.stderr.includes(`its dashboard is at ${running.url}/`), r.stderr);
  assert.match(r.stderr, /--port/);
  assert.equal(fs.existsSync(`${db}.lock`), false, 'the lock is released');
  // The running one is untouched.
  assert.equal(((await (await fetch(`${running.url}/api/health`)).json()) as { pid: number }).pid, running.child.pid);
  assert.equal(await stopServe(running), 0, running.output());
});

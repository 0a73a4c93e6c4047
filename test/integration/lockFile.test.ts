/**
 * The `<db>.lock` owner check with real processes: a live pid that is not the AgentMonitor the lock
 * names (a pid reused after a reboot) neither blocks a start nor fools the CLI; a running
 * AgentMonitor server still makes a second start on its database refuse.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, spawnServe, stopServe, type ServeProcess } from '../helpers/serveProcess';
import { tmpDir } from '../helpers/tmp';

/** A live process that is not AgentMonitor; its pid goes into fake locks. */
function livePid(): number {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  after(() => child.kill('SIGKILL'));
  return child.pid!;
}

/** An HTTP server answering every request with `body` (an impostor on the lock's port). */
async function answering(body: unknown): Promise<number> {
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function writeLock(dbPath: string, pid: number, port: number): void {
  fs.writeFileSync(`${dbPath}.lock`, JSON.stringify({ pid, port, host: '127.0.0.1', started_at: new Date().toISOString() }) + '\n');
}

async function stop(p: ServeProcess): Promise<void> {
  assert.equal(await stopServe(p), 0, p.output());
}

describe('lock file owner check', () => {
  for (const [what, port] of [
    ['nothing listens on its port', closedPort],
    ['its port answers as another AgentMonitor pid', () => answering({ service: 'agentmonitor', pid: 1 })],
  ] as const) {
    it(`a start takes over a lock whose live pid is not AgentMonitor (${what})`, async () => {
      const dbPath = path.join(tmpDir(), 'agentmonitor.db');
      const pid = livePid();
      writeLock(dbPath, pid, await port());
      const serve = await spawnServe(dbPath);
      after(() => serve.child.kill('SIGKILL'));
      assert.match(serve.output(), new RegExp(`taking over the lock .*: pid ${pid} is alive but`));
      const health = (await (await fetch(`${serve.url}/api/health`)).json()) as { pid: number };
      assert.equal(health.pid, serve.child.pid);
      assert.equal((JSON.parse(fs.readFileSync(`${dbPath}.lock`, 'utf8')) as { pid: number }).pid, serve.child.pid);
      await stop(serve);
    });
  }

  it('a running AgentMonitor server holding the lock makes a second start refuse', async () => {
    const dbPath = path.join(tmpDir(), 'agentmonitor.db');
    const first = await spawnServe(dbPath);
    after(() => first.child.kill('SIGKILL'));
    await assert.rejects(spawnServe(dbPath), new RegExp(`serve exited with 1:[^]*owned by another AgentMonitor server \\(pid ${first.child.pid}, ${first.url}\\)`));
    assert.equal((await fetch(`${first.url}/api/health`)).status, 200);
    await stop(first);
  });

  it('import and report are not sent to a live pid that is not the lock\'s AgentMonitor', async () => {
    const dir = tmpDir();
    const dbPath = path.join(dir, 'agentmonitor.db');
    writeLock(dbPath, livePid(), await answering({ service: 'agentmonitor', pid: 1 }));
    const logs = path.join(dir, 'claude', 'projects', '-p');
    fs.mkdirSync(logs, { recursive: true });
    fs.writeFileSync(path.join(logs, 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee.jsonl'), '{"type":"user","message":{"role":"user","content":"hi"},"sessionId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"}\n');
    const imp = await runCli(['import', '--claude-dir', path.join(dir, 'claude'), '--db', dbPath, '--json']);
    assert.equal(imp.code, 0, imp.stderr);
    assert.doesNotMatch(imp.stderr, /through the running server/);
    assert.equal((JSON.parse(imp.stdout) as { events: number }).events, 1);
    const rep = await runCli(['report', '--db', dbPath, '--json']);
    assert.equal(rep.code, 0, rep.stderr);
    assert.equal(rep.stderr, '');
    assert.equal((JSON.parse(rep.stdout) as { source: string }).source, 'database');
  });
});

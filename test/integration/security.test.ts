import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { isAllowedOrigin, isLoopbackHost, isOwnHost, tokenMatches } from '../../src/core/server/security';
import { spawnServe, stopServe } from '../helpers/serveProcess';
import { startTestServer } from '../helpers/server';
import { tmpDir } from '../helpers/tmp';

interface Answer {
  status: number;
  body: { error?: string } & Record<string, unknown>;
}

/** A raw request, so that Host and Origin can be set freely (fetch forbids it). */
function request(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const event = JSON.stringify({ session_id: 'sec', agent_type: 'claude-code', event_type: 'notification' });

test('requests must name this server in Host (DNS rebinding)', async () => {
  const s = await startTestServer();
  const get = (host: string) => request(s.port, 'GET', '/api/health', { host });
  for (const host of [`127.0.0.1:${s.port}`, `localhost:${s.port}`, `[::1]:${s.port}`, `LOCALHOST:${s.port}`]) {
    assert.equal((await get(host)).status, 200, host);
  }
  for (const host of [`evil.example:${s.port}`, 'evil.example', `127.0.0.1:${s.port + 1}`, `127.0.0.1`, `127.0.0.1.evil.example:${s.port}`, '']) {
    const r = await get(host);
    assert.equal(r.status, 403, host);
    assert.match(r.body.error!, /DNS rebinding/);
  }
  const post = await request(s.port, 'POST', '/api/events', { host: `attacker.test:${s.port}`, 'content-type': 'application/json' }, event);
  assert.equal(post.status, 403);
  const stored = await s.get<{ events: unknown[] }>('/api/events?session_id=sec');
  assert.equal(stored.body.events.length, 0, 'a refused write stores nothing');
});

test('requests from a foreign Origin are refused (CSRF); own origin and webviews pass', async () => {
  const s = await startTestServer();
  const host = `127.0.0.1:${s.port}`;
  const post = (origin: string) => request(s.port, 'POST', '/api/events', { host, origin, 'content-type': 'text/plain' }, event);
  for (const origin of ['http://evil.example', 'null', `http://evil.example:${s.port}`, `https://127.0.0.1:${s.port}`, 'file://']) {
    const r = await post(origin);
    assert.equal(r.status, 403, origin);
    assert.match(r.body.error!, /origin/);
  }
  const read = await request(s.port, 'GET', '/api/stats', { host, origin: 'http://evil.example' });
  assert.equal(read.status, 403);
  assert.equal((await s.get<{ events: unknown[] }>('/api/events?session_id=sec')).body.events.length, 0);
  assert.equal((await post(`http://127.0.0.1:${s.port}`)).status, 201);
  assert.equal((await post(`http://localhost:${s.port}`)).status, 201);
  assert.equal((await post('vscode-webview://1abc2def')).status, 201);
});

test('with a token, writes need the bearer token; loopback reads stay open', async () => {
  const s = await startTestServer({ token: 'sekret-token' });
  const host = `127.0.0.1:${s.port}`;
  const post = (auth?: string) =>
    request(s.port, 'POST', '/api/events', { host, 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, event);
  for (const auth of [undefined, 'Bearer wrong', 'Bearer sekret-token-and-more', 'Basic sekret-token', 'Bearer ']) {
    const r = await post(auth);
    assert.equal(r.status, 401, String(auth));
    assert.match(r.body.error!, /Authorization: Bearer/);
  }
  assert.equal((await s.get<{ events: unknown[] }>('/api/events?session_id=sec')).body.events.length, 0);
  assert.equal((await post('Bearer sekret-token')).status, 201);
  assert.equal((await post('bearer   sekret-token')).status, 201);
  const read = await request(s.port, 'GET', '/api/events?session_id=sec', { host });
  assert.equal(read.status, 200);
  assert.equal((read.body.events as unknown[]).length, 2);
});

test('host, origin and token rules', () => {
  assert.ok(isOwnHost('127.0.0.1:3142', 3142, '127.0.0.1'));
  assert.ok(isOwnHost('my-box.lan:3142', 3142, 'my-box.lan'));
  assert.ok(!isOwnHost('my-box.lan:3142', 3142, '127.0.0.1'));
  assert.ok(isOwnHost('127.0.0.1', 80, '127.0.0.1'), 'no port means 80');
  // Bound to every interface: IP literals pass (rebinding needs a name), names do not.
  assert.ok(isOwnHost('192.168.1.20:3142', 3142, '0.0.0.0'));
  assert.ok(isOwnHost('[fe80::1]:3142', 3142, '::'));
  assert.ok(!isOwnHost('evil.example:3142', 3142, '0.0.0.0'));
  assert.ok(!isOwnHost('127.0.0.1:3142@evil', 3142, '127.0.0.1'));
  assert.ok(!isAllowedOrigin('http://127.0.0.1:3142/path', 3142, '127.0.0.1'));
  assert.ok(!isAllowedOrigin('http://user@127.0.0.1:3142', 3142, '127.0.0.1'));
  assert.ok(isAllowedOrigin('http://[::1]:3142', 3142, '127.0.0.1'));
  assert.ok(tokenMatches('Bearer abc', 'abc'));
  assert.ok(!tokenMatches('Bearer abd', 'abc'));
  assert.ok(!tokenMatches(undefined, 'abc'));
});

test('413 on the small routes names that route\'s own limit, not the big body limit', async () => {
  const s = await startTestServer();
  const host = `127.0.0.1:${s.port}`;
  const cases: [string, string, number][] = [
    ['POST', '/api/import', 256 * 1024],
    ['POST', '/api/recalc', 256 * 1024],
    ['DELETE', '/api/data', 4 * 1024],
  ];
  for (const [method, path, limit] of cases) {
    const body = JSON.stringify({ pad: 'x'.repeat(limit) });
    const r = await request(s.port, method, path, { host, 'content-type': 'application/json', 'content-length': String(body.length) }, body);
    assert.equal(r.status, 413, `${path}: ${r.body.error}`);
    assert.match(r.body.error!, new RegExp(`limit of ${limit} bytes`), path);
  }
  const big = await s.post<{ error: string }>('/api/events', { pad: 'x'.repeat(s.ctx.config.maxBodyBytes) });
  assert.equal(big.status, 413);
  assert.match(big.body.error, new RegExp(`limit of ${s.ctx.config.maxBodyBytes} bytes`));
});

test('serve off loopback without a token refuses to start, unless --insecure-no-token says so', async () => {
  for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1', '[::1]']) assert.ok(isLoopbackHost(host), host);
  for (const host of ['0.0.0.0', '::', '192.168.1.20', 'my-box.lan']) assert.ok(!isLoopbackHost(host), host);
  const noToken = { AGENTMONITOR_TOKEN: '', AGENTMONITOR_INSECURE_NO_TOKEN: '' };
  const dbPath = path.join(tmpDir(), 'agentmonitor.db');
  const outcome = await spawnServe(dbPath, ['--host', '0.0.0.0'], noToken).then(
    (p) => {
      p.child.kill('SIGKILL');
      return `started: ${p.output()}`;
    },
    (e: Error) => e.message,
  );
  assert.match(outcome, /^serve exited with 1:[^]*refusing to start: listening on 0\.0\.0\.0 without AGENTMONITOR_TOKEN would open every read .* and every write .* to the network/);
  assert.match(outcome, /Set AGENTMONITOR_TOKEN=.*--insecure-no-token/);
  assert.ok(!fs.existsSync(`${dbPath}.lock`), 'refused before taking the database');

  const insecure = await spawnServe(dbPath, ['--host', '0.0.0.0', '--insecure-no-token'], noToken);
  after(() => insecure.child.kill('SIGKILL'));
  assert.match(insecure.output(), /INSECURE: listening on 0\.0\.0\.0 without AGENTMONITOR_TOKEN/);
  assert.equal(await stopServe(insecure), 0);

  const withToken = await spawnServe(dbPath, ['--host', '0.0.0.0'], { AGENTMONITOR_TOKEN: 'sekret-token' });
  after(() => withToken.child.kill('SIGKILL'));
  assert.doesNotMatch(withToken.output(), /INSECURE/);
  assert.equal(await stopServe(withToken), 0);
});

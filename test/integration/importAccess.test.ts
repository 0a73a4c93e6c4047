/**
 * `POST /api/import` reads only the server's agent log folders (CLAUDE_CONFIG_DIR / CODEX_HOME and
 * what is inside them, after symlinks and `..`), unless the caller sends the token or the key from
 * the server's 0600 lock file.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { LOCK_KEY_HEADER } from '../../src/core/server/importAccess';
import { startTestServer, type TestServer } from '../helpers/server';
import { openSse } from '../helpers/sse';
import { tmpDir } from '../helpers/tmp';

const SESSION = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

/** A Claude config dir `<parent>/<name>` with one private (0600) transcript of one event. */
function claudeDir(parent: string, name: string): string {
  const root = path.join(parent, name);
  const file = path.join(root, 'projects', '-p', `${SESSION}.jsonl`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `{"type":"user","message":{"role":"user","content":"secret"},"sessionId":"${SESSION}"}\n`, { mode: 0o600 });
  return root;
}

async function imported(server: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<number> {
  const sse = await openSse(`${server.url}/api/stream`);
  after(() => sse.close());
  const r = await server.post<{ import_id: string; error?: string }>('/api/import', body, headers);
  assert.equal(r.status, 202, r.body.error);
  return (await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000)).summary.events;
}

async function storedEvents(server: TestServer): Promise<number> {
  return (await server.get<{ events: unknown[] }>(`/api/events?session_id=${SESSION}`)).body.events.length;
}

describe('POST /api/import folder access', () => {
  it('refuses folders outside the agent log folders with 403 naming the folder and what is allowed', async () => {
    const server = await startTestServer();
    const outside = claudeDir(tmpDir(), 'elsewhere');
    claudeDir(server.dir, 'claude');
    fs.symlinkSync(outside, path.join(server.dir, 'claude', 'link-out'));
    const attempts = [
      { claude_dirs: [outside] },
      { codex_dirs: [outside] },
      { claude_dirs: [path.join(server.dir, 'claude')], codex_dirs: [outside] },
      { claude_dirs: [`${path.join(server.dir, 'claude')}/../../${path.relative(path.dirname(server.dir), outside)}`] },
      { claude_dirs: [path.join(server.dir, 'claude', 'link-out')] },
      { claude_dirs: [path.join(server.dir, 'claude-sibling')] },
    ];
    for (const body of attempts) {
      const r = await server.post<{ error: string }>('/api/import', body);
      assert.equal(r.status, 403, JSON.stringify(body));
      assert.match(r.body.error, /import refused: .* is not an agent log folder/);
      assert.ok(r.body.error.includes(path.join(server.dir, 'claude')) && r.body.error.includes(path.join(server.dir, 'codex')), r.body.error);
    }
    const viaLink = await server.post<{ error: string }>('/api/import', { claude_dirs: [path.join(server.dir, 'claude', 'link-out')] });
    assert.ok(viaLink.body.error.includes(`(${fs.realpathSync(outside)})`), 'names where the symlink leads');
    assert.equal((await server.get<{ running: string | null }>('/api/import')).body.running, null);
    assert.equal(await storedEvents(server), 0);
  });

  it('reads the configured Claude dir, folders inside it and the default folders', async () => {
    const server = await startTestServer();
    claudeDir(server.dir, 'claude');
    assert.equal(await imported(server, { claude_dirs: [path.join(server.dir, 'claude', 'projects')] }), 1);
    assert.equal(await imported(server, { claude_dirs: [path.join(server.dir, 'claude')], codex_dirs: [path.join(server.dir, 'codex', 'sessions')] }), 0);
    assert.equal(await imported(server, {}), 0);
    assert.equal(await storedEvents(server), 1);
  });

  it('reads any folder for a caller with the token or with the key of the 0600 lock file', async () => {
    const outside = claudeDir(tmpDir(), 'elsewhere');
    const withToken = await startTestServer({ token: 'sekret-token' });
    assert.equal(await imported(withToken, { claude_dirs: [outside] }, { authorization: 'Bearer sekret-token' }), 1);

    const server = await startTestServer();
    const lockFile = `${server.dbPath}.lock`;
    assert.equal(fs.statSync(lockFile).mode & 0o777, 0o600);
    const { key } = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { key: string };
    const wrong = await server.post<{ error: string }>('/api/import', { claude_dirs: [outside] }, { [LOCK_KEY_HEADER]: `${key.slice(1)}0` });
    assert.equal(wrong.status, 403);
    assert.equal(await imported(server, { claude_dirs: [outside] }, { [LOCK_KEY_HEADER]: key }), 1);
  });
});

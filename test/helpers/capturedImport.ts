/**
 * A real server holding the real Claude Code and Codex captures (test/shared/fixtures/captured),
 * imported through `POST /api/import` and waited for over SSE.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after } from 'node:test';
import { CLAUDE_CAPTURE, CODEX_CAPTURE } from './hookFixtures';
import { startTestServer, type TestServer } from './server';
import { openSse } from './sse';

export const CAPTURED_CLAUDE_SESSION = '5df58c72-10ee-4455-8525-dd0ff3c62090';
export const CAPTURED_CODEX_SESSION = '01a20b0a-7dc8-7c71-883b-a8f904513445';

export async function serverWithCaptures(): Promise<TestServer> {
  const claudeDirs = [path.join(CLAUDE_CAPTURE, 'claude-config')];
  const codexDirs = [path.join(CODEX_CAPTURE, 'codex-home')];
  const s = await startTestServer({ claudeDirs, codexDirs });
  const sse = await openSse(`${s.url}/api/stream`);
  after(() => sse.close());
  const r = await s.post<{ import_id: string }>('/api/import', { claude_dirs: claudeDirs, codex_dirs: codexDirs });
  assert.equal(r.status, 202);
  await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000);
  return s;
}

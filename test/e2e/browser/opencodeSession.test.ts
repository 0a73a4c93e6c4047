/**
 * An OpenCode session on the dashboard: the database the real opencode 1.18.33 wrote
 * (test/fixtures/opencode) imported through the server, the session shown as OpenCode, each model
 * call with our price and, beside it, OpenCode's own figure.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { startTestServer } from '../../helpers/server';
import { openSse } from '../../helpers/sse';
import { tmpDir } from '../../helpers/tmp';
import { formatUsd } from '../../../webview/lib/format';
import { buildWebview, launch, openPage } from './browser';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'opencode');
const SID = 'ses_dadfa1fd2ffeaGNwJk7QwqQZY1';

describe('an OpenCode session (chromium)', async () => {
  buildWebview();
  const dir = path.join(tmpDir(), 'opencode');
  fs.mkdirSync(dir, { recursive: true });
  for (const f of ['opencode.db', 'opencode.db-wal']) fs.writeFileSync(path.join(dir, f), zlib.gunzipSync(fs.readFileSync(path.join(FIXTURE, `${f}.gz`))));
  const server = await startTestServer({ claudeDirs: [], codexDirs: [], opencodeDirs: [dir] });
  const sse = await openSse(`${server.url}/api/stream`);
  const r = await server.post<{ import_id: string }>('/api/import', { opencode_dirs: [dir] });
  await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000);
  sse.close();
  const browser = await launch();
  const w = await openPage(browser);

  it('the session is headed OpenCode; a model call shows our price and OpenCode\'s own figure', async () => {
    await w.page.goto(`${server.url}/#/sessions/${SID}`);
    await w.page.locator('h1', { hasText: 'OpenCode · /tmp/ocprobe2/proj' }).waitFor();
    const call = w.page.locator('[data-testid=transcript-entry]').filter({ has: w.page.locator('.tx-kind', { hasText: /^Model call$/ }) }).first();
    await call.waitFor();
    // The first call: 1376 in (1024 cached), 49 + 11 out at gpt-5's 1.25/0.125/10 per M, which OpenCode was configured with too.
    const ours = (1376 * 1.25 + 1024 * 0.125 + 60 * 10) / 1e6;
    assert.ok(((await call.textContent()) ?? '').includes(formatUsd(ours)), (await call.textContent()) ?? '');
    assert.equal(await call.locator('[data-testid=agent-cost]').textContent(), `agent's own figure ${formatUsd(0.002448)}`);
    assert.deepEqual(w.problems, []);
  });

  it('the sessions list names the agent', async () => {
    await w.page.goto(`${server.url}/#/sessions`);
    await w.page.locator('[data-testid=sessions-table] tr', { hasText: 'OpenCode' }).first().waitFor();
  });

  it('closes', async () => {
    await browser.close();
    await server.close();
  });
});

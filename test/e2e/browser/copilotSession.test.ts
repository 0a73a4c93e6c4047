/**
 * A Copilot CLI session on the dashboard: the session the real copilot 1.0.102 wrote
 * (test/fixtures/copilot-cli, resumed once: two shutdowns) imported through the server, headed as
 * Copilot CLI, each model call with our price, and at each shutdown Copilot's own cumulative figure
 * (`totalNanoAiu`) beside it. The fixture's run used a BYOK provider, which Copilot does not bill
 * (0); the copy here gives its shutdowns 1.5 and 2.34 AI units, as a billed session's would.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTestServer } from '../../helpers/server';
import { openSse } from '../../helpers/sse';
import { tmpDir } from '../../helpers/tmp';
import { formatUsd } from '../../../webview/lib/format';
import { buildWebview, launch, openPage } from './browser';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'copilot-cli', 'copilot-home');
const SID = '3f47e0f9-b021-4e70-8c71-bb39a40d860f';

describe('a Copilot CLI session (chromium)', async () => {
  buildWebview();
  const home = path.join(tmpDir(), '.copilot');
  fs.cpSync(FIXTURE, home, { recursive: true });
  const file = path.join(home, 'session-state', SID, 'events.jsonl');
  const nano = [1_500_000_000, 2_340_000_000];
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => {
    const o = JSON.parse(l) as { type: string; data: { totalNanoAiu?: number } };
    if (o.type === 'session.shutdown') o.data.totalNanoAiu = nano.shift();
    return JSON.stringify(o);
  });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  // A second session, whose task call ran a sub-agent (the real CLI's run, test/fixtures/copilot-cli/subagent-run).
  fs.cpSync(path.join(FIXTURE, '..', 'subagent-run', 'session-state'), path.join(home, 'session-state'), { recursive: true });
  const server = await startTestServer({ claudeDirs: [], codexDirs: [], copilotDirs: [home] });
  const sse = await openSse(`${server.url}/api/stream`);
  const r = await server.post<{ import_id: string }>('/api/import', { copilot_dirs: [home] });
  await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000);
  sse.close();
  const browser = await launch();
  const w = await openPage(browser);

  it("the session is headed Copilot CLI; a model call shows our price, each shutdown Copilot's own figure", async () => {
    await w.page.goto(`${server.url}/#/sessions/${SID}`);
    await w.page.locator('h1', { hasText: 'Copilot CLI · /home/dev/proj' }).waitFor();
    const call = w.page.locator('[data-testid=transcript-entry]').filter({ has: w.page.locator('.tx-kind', { hasText: /^Model call$/ }) }).first();
    await call.waitFor();
    // The first call: 101 in, 4001 cache read, 301 cache write, 21 out at claude-sonnet-4-6's 3/0.3/3.75/15 per M.
    const ours = (101 * 3 + 4001 * 0.3 + 301 * 3.75 + 21 * 15) / 1e6;
    assert.ok(((await call.textContent()) ?? '').includes(formatUsd(ours)), (await call.textContent()) ?? '');
    const own = w.page.locator('[data-testid=agent-cost]');
    await own.nth(1).waitFor();
    assert.deepEqual(await own.allTextContents(), ["Copilot's own figure, session so far: 1.50 AI units", "Copilot's own figure, session so far: 2.34 AI units"]);
    assert.deepEqual(w.problems, []);
  });

  it("a sub-agent's turns are folded under the task call that ran it", async () => {
    await w.page.goto(`${server.url}/#/sessions/2c12558a-1616-4ee7-a687-1f631a197923`);
    const task = w.page.locator('[data-testid=transcript-entry]').filter({ has: w.page.locator('.tx-tool', { hasText: /^task$/ }) }).first();
    await task.locator('[data-testid=subagent-turns]').waitFor();
    // Its prompt is not a prompt of the session; its two model calls and its bash call are inside.
    assert.match((await task.locator('[data-testid=subagent-turns] > summary').textContent()) ?? '', /^Subagent 0a6fb415-6…: \d+ entries, 2 model calls$/);
    assert.equal(await task.locator('[data-testid=subagent-turns] .tx-tool', { hasText: /^bash$/ }).count(), 1);
    assert.deepEqual(w.problems, []);
  });

  it('the sessions list names the agent', async () => {
    await w.page.goto(`${server.url}/#/sessions`);
    await w.page.locator('[data-testid=sessions-table] tr', { hasText: 'Copilot CLI' }).first().waitFor();
  });

  it('closes', async () => {
    await browser.close();
    await server.close();
  });
});

/**
 * A Copilot Chat session on the dashboard (session files built to VS Code's format; a real Copilot
 * sign-in cannot run here): headed Copilot Chat, its model call marked approximate, saying why and
 * what exact figures would need.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTestServer } from '../../helpers/server';
import { openSse } from '../../helpers/sse';
import { tmpDir } from '../../helpers/tmp';
import { CHAT_SESSION_ID, chatJournal } from '../../helpers/copilotChatFiles';
import { buildWebview, launch, openPage } from './browser';

describe('a Copilot Chat session (chromium)', async () => {
  buildWebview();
  const user = path.join(tmpDir(), 'User');
  const ws = path.join(user, 'workspaceStorage', 'feedc0de');
  fs.mkdirSync(path.join(ws, 'chatSessions'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'workspace.json'), JSON.stringify({ folder: pathToFileURL('/home/dev/app').href }));
  fs.writeFileSync(path.join(ws, 'chatSessions', `${CHAT_SESSION_ID}.jsonl`), chatJournal());
  const server = await startTestServer({ claudeDirs: [], codexDirs: [], copilotChatDirs: [user] });
  const sse = await openSse(`${server.url}/api/stream`);
  const r = await server.post<{ import_id: string }>('/api/import', { copilot_chat_dirs: [user] });
  await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000);
  sse.close();
  const browser = await launch();
  const w = await openPage(browser);

  it('the model call is marked approximate, with why and how exact figures would come', async () => {
    await w.page.goto(`${server.url}/#/sessions/${CHAT_SESSION_ID}`);
    await w.page.locator('h1', { hasText: 'Copilot Chat · /home/dev/app' }).waitFor();
    const badge = w.page.locator('[data-testid=approximate-usage]');
    await badge.first().waitFor();
    assert.equal(await badge.count(), 1, 'one finished request');
    assert.equal(await badge.textContent(), 'approximate');
    assert.match((await badge.getAttribute('title')) ?? '', /no cache split.*under-counted.*OpenTelemetry export/);
    assert.deepEqual(w.problems, []);
  });

  it('closes', async () => {
    await browser.close();
    await server.close();
  });
});

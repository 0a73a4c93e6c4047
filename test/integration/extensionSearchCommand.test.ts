/**
 * "AgentMonitor: Search Sessions" against a real server holding the real captures (issue 17): the
 * command asks for words, lists the hits as a quick pick and opens the picked one in the dashboard
 * at its session and event; no match and a server error are said, not opened. `vscode` is faked
 * (test/helpers/fakeVscode.ts); the HTTP is real.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DashboardTarget } from '../../src/core/contracts/webview';
import { ApiClient } from '../../src/extension/api/apiClient';
import { CAPTURED_CLAUDE_SESSION, serverWithCaptures } from '../helpers/capturedImport';
import { fakeUi, installFakeVscode } from '../helpers/fakeVscode';

installFakeVscode();

test('Search Sessions: words in, hits listed, the picked one opened at its event', async () => {
  const server = await serverWithCaptures();
  const { registerDashboardCommands } = await import('../../src/extension/commands/dashboardCommands');
  const { COMMANDS } = await import('../../src/extension/ids');
  const shown: DashboardTarget[] = [];
  registerDashboardCommands({ dashboard: { show: (t: DashboardTarget) => shown.push(t) }, live: { client: new ApiClient(server.url) } } as never);
  const run = fakeUi.commands.get(COMMANDS.searchSessions);
  assert.ok(run, 'the command is registered');

  let listed: { label: string; description: string }[] = [];
  fakeUi.inputBox = async () => 'dozen';
  fakeUi.quickPick = async (items) => {
    listed = items as typeof listed;
    return items[0];
  };
  await run();
  assert.deepEqual(
    listed.map((i) => [i.label, i.description]),
    [['README.md has a few dozen bytes.', `Answer · session ${CAPTURED_CLAUDE_SESSION}`]],
  );
  assert.equal(shown.length, 1);
  assert.equal(shown[0].session_id, CAPTURED_CLAUDE_SESSION);
  const events = await server.get<{ events: { id: number; metadata: { text?: string } | null }[] }>(`/api/events?session_id=${CAPTURED_CLAUDE_SESSION}&limit=1000`);
  assert.equal(events.body.events.find((e) => e.id === shown[0].event_id)?.metadata?.text, 'README.md has a few dozen bytes.');

  fakeUi.inputBox = async () => 'nothingmatchesthis';
  await run();
  assert.equal(shown.length, 1, 'nothing opened');
  assert.match(fakeUi.messages.at(-1)!.text, /no matches for "nothingmatchesthis"/);

  fakeUi.inputBox = async () => undefined;
  await run();
  assert.equal(shown.length, 1, 'a cancelled input does nothing');
});

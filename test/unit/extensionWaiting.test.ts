/**
 * Issue 18 in VS Code: agents waiting for the user come first in the tree, are counted in the status
 * bar, and a notification (muted per kind by the settings) says who waits and what it asks, with
 * "Show Session". The live part runs the extension's own LiveConnection against a real server over
 * real SSE, fed with the real hooks of an interactive Claude Code session that asked for permission
 * (`test/fixtures/claude-interactive`); the notification host is a fake that records what VS Code
 * would show.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Session } from '../../src/core/contracts/api';
import { LiveConnection, type ServerSource } from '../../src/extension/api/liveConnection';
import { tickerView } from '../../src/extension/model/statusText';
import { SHOW_SESSION, WaitingNotice, type WaitingNoticeHost, type WaitingNoticeSettings } from '../../src/extension/model/waiting';
import type { ServerState } from '../../src/extension/server/serverState';
import { waitFor } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';
import { claudeTurn, type Payload } from '../helpers/waitingHooks';

function fakeHost(pick: string | undefined): WaitingNoticeHost & { shown: string[]; opened: string[] } {
  const shown: string[] = [];
  const opened: string[] = [];
  return {
    shown,
    opened,
    show(message, actions) {
      assert.deepEqual(actions, [SHOW_SESSION]);
      shown.push(message);
      return Promise.resolve(pick);
    },
    showSession: (id) => opened.push(id),
  };
}

function follower(url: string): ServerSource {
  const state: ServerState = { kind: 'follower', url, pid: process.pid };
  return { state, onDidChangeState: () => ({ dispose() {} }), ensure: async () => state };
}

async function hook(s: TestServer, p: Payload): Promise<void> {
  const r = await s.post('/api/hooks/claude-code', p);
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

const OWNER: ServerState = { kind: 'owner', url: 'http://127.0.0.1:3142', pid: 1 };

test('live: an agent that starts waiting is notified once per wait (muted kinds not at all), listed first and counted in the status bar', async () => {
  const s = await startTestServer();
  const { start, prompt, pre, permission, permissionPrompt, post, stop, sid } = claudeTurn();

  // A session already waiting when the window connects: counted, not notified.
  const earlier = 'waiting-before-connect';
  await hook(s, { ...start, session_id: earlier });
  await hook(s, { ...permission, session_id: earlier });
  await waitFor('the earlier session waiting', async () => (await s.get<{ session: Session }>(`/api/sessions/${earlier}`)).body?.session?.state === 'waiting_permission');

  const host = fakeHost(SHOW_SESSION);
  const settings: WaitingNoticeSettings = { notifyWaitingPermission: true, notifyWaitingInput: false };
  const notice = new WaitingNotice(host, () => settings);
  const live = new LiveConnection(follower(s.url), { log: () => {}, coalesceMs: 10 });
  const answered: Promise<void>[] = [];
  live.onDidStartWaiting((x) => answered.push(notice.started(x)));
  const state = (id: string) => live.model.getSession(id)?.state;
  try {
    await waitFor('the earlier session loaded', async () => state(earlier) === 'waiting_permission');

    for (const p of [start, prompt, pre]) await hook(s, p);
    await waitFor('the session working', async () => state(sid) === 'working' && (live.model.getSession(sid)?.event_count ?? 0) >= 3);
    assert.deepEqual(host.shown, [], 'nothing waits yet; the session waiting at connect is not notified');

    await hook(s, permission);
    await waitFor('the permission notification', async () => host.shown.length === 1);
    await Promise.all(answered);
    assert.deepEqual(host.shown, ['Claude Code in proj needs your permission: Bash: ls -la']);
    assert.deepEqual(host.opened, [sid], '"Show Session" opens that session');

    // Waiting sessions first (longest waiting first) though others are more recent; counted in the status bar.
    assert.deepEqual(live.model.waiting().map((x) => x.session_id), [earlier, sid]);
    assert.deepEqual(live.model.sessionsOf('claude-code').map((x) => x.session_id), [earlier, sid]);
    const view = live.model.view({ kind: 'session', sessionId: sid }, Date.now())!;
    assert.match(view.description!, /^needs permission · /);
    assert.equal(view.icon.id, 'shield');
    assert.match(view.tooltip!, /Waiting: needs permission since .* — Bash: ls \\-la/);
    assert.match(live.model.view({ kind: 'agent', agentType: 'claude-code' }, Date.now())!.description!, /^2 waiting · /);
    const ticker = tickerView(OWNER, live.stats, null, null, live.model.waiting());
    assert.match(ticker.text, / · \$\(bell-dot\) 2 waiting$/);
    assert.match(ticker.tooltip, /\*\*2 agents waiting for you\*\*/);
    assert.match(ticker.tooltip, /Claude Code — proj: needs permission \(Bash: ls \\-la\)/);

    // Claude Code's own notification of the same prompt is the same wait: no second notification.
    await hook(s, permissionPrompt);
    await waitFor('the notification event counted', async () => (live.model.getSession(sid)?.event_count ?? 0) >= 5);
    assert.equal(host.shown.length, 1);

    // Allowed: working again, no longer counted.
    await hook(s, post);
    await waitFor('working again', async () => state(sid) === 'working');
    assert.deepEqual(live.model.waiting().map((x) => x.session_id), [earlier]);
    assert.match(tickerView(OWNER, live.stats, null, null, live.model.waiting()).text, / · \$\(bell-dot\) 1 waiting$/);

    // The end of the turn waits for input, a kind muted here: listed, not notified.
    await hook(s, stop);
    await waitFor('waiting for input', async () => state(sid) === 'waiting_input');
    assert.equal(host.shown.length, 1);
    assert.match(live.model.view({ kind: 'session', sessionId: sid }, Date.now())!.description!, /^waiting for input · /);

    // Unmuted, the next turn's end notifies with the agent's last message.
    settings.notifyWaitingInput = true;
    await hook(s, { ...prompt, prompt_id: 'turn-2' });
    await waitFor('working on turn 2', async () => state(sid) === 'working');
    await hook(s, { ...stop, prompt_id: 'turn-2' });
    await waitFor('the input notification', async () => host.shown.length === 2);
    assert.equal(host.shown[1], `Claude Code in proj is waiting for your input: ${String(stop.last_assistant_message)}`);
  } finally {
    live.dispose();
  }
});

/**
 * Issue 18 with the real Claude Code CLI, interactive in a tmux pane against the fake model API,
 * with the hooks `agentmonitor hooks install` sets up and `permissions.ask: ["Bash"]`: each Bash call
 * asks for permission. While Claude Code asks, AgentMonitor shows the session `waiting_permission`
 * (GET /api/attention, what it asks) and the extension's live connection notifies (the VS Code host
 * is a fake recording the notification); answering "Yes" in the pane clears it; the end of the turn
 * is `waiting_input`; `/exit` ends the session.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AttentionList, Session } from '../../../src/core/contracts/api';
import { LiveConnection } from '../../../src/extension/api/liveConnection';
import { SHOW_SESSION, WaitingNotice } from '../../../src/extension/model/waiting';
import type { ServerState } from '../../../src/extension/server/serverState';
import { CLAUDE_MODEL, claudeEnv, findAgentBinaries, makeProject } from './agentProcess';
import { CLAUDE_PROMPT, FINAL_ANSWER, startFakeModelApi, type FakeModelApi } from './fakeModelApi';
import { getJson, MonitorClient, waitFor } from './monitorClient';
import { Pane, tmuxMissing } from './tmuxPane';
import { agentmonitor, describeRun, startMonitor, type Monitor } from './monitorProcess';

const bins = findAgentBinaries();
const skip = typeof bins === 'string' ? bins : tmuxMissing;

describe('Claude Code asking for permission, interactive', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-waiting-'));
  const home = path.join(dir, 'home');
  let api: FakeModelApi;
  let monitor: Monitor;
  let client: MonitorClient;
  let project: string;
  let pane: Pane;

  before(async () => {
    project = await makeProject(path.join(dir, 'waiting-proj'));
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    api = await startFakeModelApi();
    const dirs = { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: path.join(home, '.codex') };
    monitor = await startMonitor(path.join(dir, 'db', 'agentmonitor.db'), dirs, { watch: false });
    client = new MonitorClient(monitor.url);
    // Without the status line, whose text takes the place of the '? for shortcuts' hint this test
    // waits for (claudeStatusLine.test.ts drives it).
    const hooks = await agentmonitor(['hooks', 'install', '--agent', 'claude', '--no-statusline'], { ...process.env, ...dirs, AGENTMONITOR_PORT: String(monitor.port) });
    assert.equal(hooks.code, 0, describeRun(hooks));
    // The user's own rule: every Bash command needs a confirmation.
    const settingsFile = path.join(home, '.claude', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, permissions: { ask: ['Bash'] } }, null, 2));
    // First-run screens already answered: onboarding, the API key, trusting the project folder.
    fs.writeFileSync(
      path.join(home, '.claude', '.claude.json'),
      JSON.stringify({
        hasCompletedOnboarding: true,
        theme: 'dark',
        customApiKeyResponses: { approved: ['sk-fake'], rejected: [] },
        projects: { [project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] } },
      }),
    );
    pane = new Pane({ ...claudeEnv({ home, apiUrl: api.url, configDir: path.join(home, '.claude') }), TERM: 'xterm-256color' });
  });

  after(async () => {
    pane?.kill();
    await monitor?.stop();
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('waiting_permission while it asks (and a notification), working once allowed, waiting_input at the end of the turn, ended after /exit', async () => {
    const shown: string[] = [];
    const opened: string[] = [];
    const notice = new WaitingNotice(
      { show: (m) => (shown.push(m), Promise.resolve(SHOW_SESSION)), showSession: (id) => opened.push(id) },
      () => ({ notifyWaitingPermission: true, notifyWaitingInput: true }),
    );
    const state: ServerState = { kind: 'follower', url: monitor.url, pid: monitor.serve.child.pid ?? 0 };
    const live = new LiveConnection({ state, onDidChangeState: () => ({ dispose() {} }), ensure: async () => state }, { log: () => {}, coalesceMs: 10 });
    live.onDidStartWaiting((s) => void notice.started(s));
    const attention = () => getJson<AttentionList>(`${monitor.url}/api/attention`);
    try {
      await waitFor('the extension connected', async () => (live.status.state === 'connected' ? true : undefined));
      pane.start(project, [(bins as { claude: string }).claude, '--model', CLAUDE_MODEL]);
      await pane.shows('? for shortcuts');
      pane.keys('-l', CLAUDE_PROMPT);
      await pane.shows(new RegExp(`❯\\s${CLAUDE_PROMPT}`)); // the prompt line uses a no-break space
      pane.keys('Enter');

      // Claude Code asks to run `ls -la`.
      await pane.shows('Do you want to proceed?');
      const asking = await waitFor('the session waiting for permission', async () => (await attention()).sessions.find((s) => s.state === 'waiting_permission'));
      const sid = asking.session_id;
      assert.equal(asking.agent_type, 'claude-code');
      assert.equal(asking.waiting_message, 'Bash: ls -la');
      await waitFor('the notification', async () => (shown.length ? true : undefined));
      assert.deepEqual(shown, [`Claude Code in ${path.basename(project)} needs your permission: Bash: ls -la`]);
      assert.deepEqual(opened, [sid]);

      // Yes: the call runs; then the subagent asks for its `wc -c README.md`.
      pane.keys('1');
      const sub = await waitFor('the subagent asking', async () => (await attention()).sessions.find((s) => s.session_id === sid && s.waiting_message === 'Bash: wc -c README.md'));
      assert.notEqual(sub.waiting_since, asking.waiting_since, 'a new wait');
      await pane.shows('from the general-purpose agent');
      // As a user does: see the notification, then answer. (Answered sooner, the wait can be over
      // before the coalesced session update reaches the editor, and nothing is shown for it.)
      await waitFor('the subagent notification', async () => (shown.length === 2 ? true : undefined));
      pane.keys('1');

      // The turn ends with the final answer: waiting for input.
      const done = await waitFor('the turn over', async () => {
        const s: Session = (await client.session(sid)).session;
        return s.state === 'waiting_input' ? s : undefined;
      });
      assert.equal(done.waiting_message, FINAL_ANSWER);
      await waitFor('the input notification', async () => (shown.length === 3 ? true : undefined));
      assert.match(shown[1], /needs your permission: Bash: wc -c README\.md$/);
      assert.equal(shown[2], `Claude Code in ${path.basename(project)} is waiting for your input: ${FINAL_ANSWER}`);

      await pane.shows('? for shortcuts');
      pane.keys('-l', '/exit');
      await pane.shows(/❯\s\/exit/);
      pane.keys('Enter');
      await waitFor('the session ended', async () => ((await client.session(sid)).session.state === 'ended' ? true : undefined));
      assert.deepEqual((await attention()).sessions, []);
    } finally {
      live.dispose();
    }
  });
});

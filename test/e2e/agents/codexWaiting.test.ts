/**
 * Issue 18 with the real Codex CLI, interactive (the TUI) in a tmux pane against the fake model API,
 * with the hooks `agentmonitor hooks install --agent codex` sets up (`[features] hooks = true`, trusted
 * at Codex's "Hooks need review" prompt), `serve --watch` following its rollout, and execpolicy rules
 * that make `ls` and `cat` ask (`approval_policy = "on-request"`). While Codex asks, AgentMonitor shows
 * the session `waiting_permission` with what it asks; `y` lets the call run and the next one asks
 * again; the final answer makes it `waiting_input`. How test/fixtures/codex-interactive was captured.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AttentionList, Session } from '../../../src/core/contracts/api';
import { codexEnv, findAgentBinaries, makeProject, writeCodexConfig } from './agentProcess';
import { CODEX_PROMPT, FINAL_ANSWER, MISSING_FILE, startFakeModelApi, type FakeModelApi } from './fakeModelApi';
import { getJson, MonitorClient, waitFor } from './monitorClient';
import { Pane, tmuxMissing } from './tmuxPane';
import { agentmonitor, describeRun, startMonitor, type Monitor } from './monitorProcess';

const bins = findAgentBinaries();
const skip = typeof bins === 'string' ? bins : tmuxMissing;

/** Codex's TUI starts an app-server daemon that outlives it: end those of this test's Codex home, by pid. */
function endCodexDaemons(codexHome: string): void {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const line of ps.stdout.split('\n')) {
    if (!line.includes(`${codexHome}/`)) continue;
    const pid = Number(line.trim().split(/\s+/)[0]);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

describe('Codex asking for approval, interactive', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-codex-waiting-'));
  const home = path.join(dir, 'home');
  const codexHome = path.join(home, '.codex');
  let api: FakeModelApi;
  let monitor: Monitor;
  let client: MonitorClient;
  let project: string;
  let pane: Pane;

  before(async () => {
    project = await makeProject(path.join(dir, 'codex-waiting-proj'));
    api = await startFakeModelApi();
    const dirs = { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: codexHome };
    monitor = await startMonitor(path.join(dir, 'db', 'agentmonitor.db'), dirs, { watch: true });
    client = new MonitorClient(monitor.url);
    const configFile = writeCodexConfig({ codexHome, apiUrl: api.url });
    // The user's settings: asks before commands the rules name, hooks on, this project trusted.
    const toml = fs
      .readFileSync(configFile, 'utf8')
      .replace('approval_policy = "never"', 'approval_policy = "on-request"')
      .replace('sandbox_mode = "danger-full-access"', 'sandbox_mode = "read-only"')
      .replace('[features]\n', '[features]\nhooks = true\n');
    fs.writeFileSync(configFile, `${toml}\n[projects."${project}"]\ntrust_level = "trusted"\n`);
    fs.mkdirSync(path.join(codexHome, 'rules'), { recursive: true });
    fs.writeFileSync(path.join(codexHome, 'rules', 'default.rules'), 'prefix_rule(pattern = ["ls"], decision = "prompt")\nprefix_rule(pattern = ["cat"], decision = "prompt")\n');
    const hooks = await agentmonitor(['hooks', 'install', '--agent', 'codex'], { ...process.env, ...dirs, AGENTMONITOR_PORT: String(monitor.port) });
    assert.equal(hooks.code, 0, describeRun(hooks));
    pane = new Pane({ ...codexEnv({ home, codexHome }), TERM: 'xterm-256color' });
  });

  after(async () => {
    pane?.kill();
    endCodexDaemons(codexHome);
    await monitor?.stop();
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('waiting_permission while it asks, again for the next call once allowed, waiting_input after the answer', async () => {
    const attention = () => getJson<AttentionList>(`${monitor.url}/api/attention`);
    pane.start(project, [(bins as { codex: string }).codex, CODEX_PROMPT]);
    // Codex asks once whether to trust the hooks it has not seen.
    const first = await pane.shows(/Hooks need review|Would you like to run/, 60_000);
    if (first.includes('Hooks need review')) {
      pane.keys('2');
      await pane.shows(/› 2\. Trust all and continue/);
      pane.keys('Enter');
    }

    await pane.shows(/Would you like to run the following command\?[\s\S]*ls -la/);
    const asking = await waitFor('the session waiting for permission', async () => (await attention()).sessions.find((s) => s.state === 'waiting_permission'));
    const sid = asking.session_id;
    assert.deepEqual([asking.agent_type, asking.waiting_message], ['codex', 'Bash: ls -la']);

    pane.keys('y');
    await pane.shows(new RegExp(`Would you like to run the following command\\?[\\s\\S]*cat ${MISSING_FILE}`));
    const again = await waitFor('the next call asking', async () => (await attention()).sessions.find((s) => s.session_id === sid && s.waiting_message === `Bash: cat ${MISSING_FILE}`));
    assert.notEqual(again.waiting_since, asking.waiting_since, 'a new wait');

    pane.keys('y');
    const done = await waitFor('the turn over', async () => {
      const s: Session = (await client.session(sid)).session;
      return s.state === 'waiting_input' ? s : undefined;
    });
    assert.equal(done.waiting_message, FINAL_ANSWER);
    assert.deepEqual((await attention()).sessions.map((s) => [s.session_id, s.state]), [[sid, 'waiting_input']]);
  });
});

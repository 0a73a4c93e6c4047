/**
 * Issue 18's status-line bridge with the real Claude Code CLI, interactive in a tmux pane (the
 * status line runs only there) against the fake model API, signed in with a claude.ai token
 * (`CLAUDE_CODE_OAUTH_TOKEN`: Claude Code reads the plan's rate-limit headers only then; with an
 * API key its status-line input has no `rate_limits`). The fake API answers with
 * `anthropic-ratelimit-unified-5h-utilization`/`-reset` and the 7-day pair; `agentmonitor hooks
 * install` made `agentmonitor statusline` the status-line command, which prints its line in the
 * pane and posts the readings: they reach the usage monitor as claude-code `five_hour` (300 min)
 * and `seven_day` (10080 min), for the session the hooks report.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SessionsPage, UsageMonitor } from '../../../src/core/contracts/api';
import { CLAUDE_MODEL, claudeEnv, findAgentBinaries, makeProject } from './agentProcess';
import { CLAUDE_PROMPT, startFakeModelApi, type FakeModelApi } from './fakeModelApi';
import { getJson, waitFor } from './monitorClient';
import { agentmonitor, describeRun, startMonitor, type Monitor } from './monitorProcess';
import { Pane, tmuxMissing } from './tmuxPane';

const bins = findAgentBinaries();
const skip = typeof bins === 'string' ? bins : tmuxMissing;

describe('Claude Code status line → plan limits', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-statusline-'));
  const home = path.join(dir, 'home');
  const resets5h = Math.floor(Date.now() / 1000) + 2 * 3600;
  const resets7d = resets5h + 3 * 86_400;
  let api: FakeModelApi;
  let monitor: Monitor;
  let project: string;
  let pane: Pane;

  before(async () => {
    project = await makeProject(path.join(dir, 'statusline-proj'));
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    api = await startFakeModelApi({
      claudeHeaders: {
        'anthropic-ratelimit-unified-status': 'allowed',
        'anthropic-ratelimit-unified-5h-utilization': '0.42',
        'anthropic-ratelimit-unified-5h-reset': String(resets5h),
        'anthropic-ratelimit-unified-7d-utilization': '0.13',
        'anthropic-ratelimit-unified-7d-reset': String(resets7d),
      },
    });
    const dirs = { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: path.join(home, '.codex') };
    monitor = await startMonitor(path.join(dir, 'db', 'agentmonitor.db'), dirs, { watch: false });
    const hooks = await agentmonitor(['hooks', 'install', '--agent', 'claude'], { ...process.env, ...dirs, AGENTMONITOR_PORT: String(monitor.port) });
    assert.equal(hooks.code, 0, describeRun(hooks));
    const settings = JSON.parse(fs.readFileSync(path.join(home, '.claude', 'settings.json'), 'utf8')) as { statusLine?: { type: string; command: string } };
    assert.equal(settings.statusLine?.type, 'command');
    assert.match(settings.statusLine?.command ?? '', new RegExp(`dist/cli\\.js statusline --port ${monitor.port}$`));
    fs.writeFileSync(
      path.join(home, '.claude', '.claude.json'),
      JSON.stringify({
        hasCompletedOnboarding: true,
        theme: 'dark',
        projects: { [project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] } },
      }),
    );
    const env: NodeJS.ProcessEnv = { ...claudeEnv({ home, apiUrl: api.url, configDir: path.join(home, '.claude') }), TERM: 'xterm-256color', CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-fake' };
    delete env.ANTHROPIC_API_KEY;
    pane = new Pane(env);
  });

  after(async () => {
    pane?.kill();
    await monitor?.stop();
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the readings Claude Code gets from the API reach the usage monitor through agentmonitor statusline', async () => {
    pane.start(project, [(bins as { claude: string }).claude, '--model', CLAUDE_MODEL, '--allowedTools', 'Bash,Read,Glob,Grep,Agent,Task']);
    // Our line in place of the shortcuts hint; before any response it names the model only.
    await pane.shows(/^\s+Sonnet 4\.5\s*$/m);
    pane.keys('-l', CLAUDE_PROMPT);
    await pane.shows(new RegExp(`❯\\s${CLAUDE_PROMPT}`));
    pane.keys('Enter');

    const limits = await waitFor(
      'the plan readings in the usage monitor',
      async () => {
        const m = await getJson<UsageMonitor>(`${monitor.url}/api/stats/usage-monitor?agent_type=claude-code`);
        return m.rate_limits.length === 2 ? m.rate_limits : undefined;
      },
      60_000,
    );
    assert.deepEqual(
      limits.map((l) => [l.agent_type, l.window, l.used_percent, l.window_minutes, l.resets_at, l.stale]),
      [
        ['claude-code', 'five_hour', 42, 300, new Date(resets5h * 1000).toISOString(), false],
        ['claude-code', 'seven_day', 13, 10080, new Date(resets7d * 1000).toISOString(), false],
      ],
    );
    await pane.shows('5h 42% · 7d 13%');
    // The readings belong to the session the hooks report (one session, not a second one).
    const sessions = await getJson<SessionsPage>(`${monitor.url}/api/sessions`);
    assert.equal(sessions.sessions.length, 1, JSON.stringify(sessions.sessions.map((s) => s.session_id)));
    assert.equal(api.claudeReplies.at(-1)?.sessionId, sessions.sessions[0].session_id);
  });
});

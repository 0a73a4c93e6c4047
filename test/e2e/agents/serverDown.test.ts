/**
 * With AgentMonitor configured (hooks installed, telemetry on) but its server not running, both
 * agents must finish their work exactly as without AgentMonitor. How much slower they get is
 * measured by serverDownBench.ts (no timing assertions here); each run's wall time is printed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findAgentBinaries } from './agentProcess';
import { startFakeModelApi, type FakeModelApi } from './fakeModelApi';
import { describeRun } from './monitorProcess';
import { deadPort, runClaudeScenario, runCodexScenario, setUpHome, type HomeSetup } from './serverDownScenario';

const bins = findAgentBinaries();
const missingCli = typeof bins === 'string' ? bins : false;

describe('agents with AgentMonitor configured but its server down', { skip: missingCli }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-down-'));
  let api: FakeModelApi;
  let plain: HomeSetup;
  let configured: HomeSetup;

  before(async () => {
    api = await startFakeModelApi();
    const port = await deadPort();
    plain = await setUpHome(path.join(dir, 'plain'), api.url, null);
    configured = await setUpHome(path.join(dir, 'configured'), api.url, port);
  });

  after(async () => {
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the down port really refuses connections', async () => {
    const port = configured.port!;
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(false); });
      s.on('error', () => resolve(true));
    });
    assert.ok(refused, `something listens on ${port}`);
    assert.ok(configured.hooksInstalled, `hooks install failed: ${configured.hooksOutput}`);
  });

  test('Claude Code finishes normally', async (t) => {
    const bin = (bins as { claude: string }).claude;
    const base = await runClaudeScenario(bin, plain, api);
    const down = await runClaudeScenario(bin, configured, api);
    t.diagnostic(`claude wall ms: without AgentMonitor ${base.run.wallMs.toFixed(0)}, server down ${down.run.wallMs.toFixed(0)}`);
    assert.equal(base.run.code, 0, describeRun(base.run));
    assert.equal(down.run.code, 0, describeRun(down.run));
    assert.equal(down.run.result?.is_error, false);
    assert.equal(down.run.result?.result, base.run.result?.result);
    assert.deepEqual(down.steps, base.steps);
    const hookFailures = down.run.lines.filter((l) => l.type === 'system' && l.subtype === 'hook_response' && l.outcome !== 'success');
    assert.deepEqual(hookFailures, [], 'a command hook failed while the server was down');
  });

  test('Codex finishes normally', async (t) => {
    const bin = (bins as { codex: string }).codex;
    const base = await runCodexScenario(bin, plain, api);
    const down = await runCodexScenario(bin, configured, api);
    t.diagnostic(`codex wall ms: without AgentMonitor ${base.run.wallMs.toFixed(0)}, server down ${down.run.wallMs.toFixed(0)}`);
    assert.equal(base.run.code, 0, describeRun(base.run));
    assert.equal(down.run.code, 0, describeRun(down.run));
    assert.deepEqual(down.steps, base.steps);
    assert.deepEqual(down.run.turnUsages, base.run.turnUsages);
    const message = (r: typeof base) => r.run.lines.filter((l) => (l.item as { type?: string } | undefined)?.type === 'agent_message').map((l) => (l.item as { text: string }).text);
    assert.deepEqual(message(down), message(base));
  });
});

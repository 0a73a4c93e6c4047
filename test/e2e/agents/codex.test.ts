/**
 * The real Codex CLI (`codex exec`), configured as the README tells users (hooks via
 * `agentmonitor hooks install`, the `[otel]` exporter in config.toml, JSON and protobuf), runs a scripted turn with a
 * shell call and a failing shell call against the fake Responses API; AgentMonitor must show the
 * session, the tool calls and exactly the tokens the fake API reported, and importing the rollout
 * afterwards must change no total.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { toolEventId } from '../../../src/core/contracts/eventIds';
import type { StoredEvent } from '../../../src/core/contracts/events';
import { CODEX_MODEL, findAgentBinaries, findFiles, makeProject, runCodex, writeCodexConfig, type CodexRun, type ProcessResult } from './agentProcess';
import { chromiumMissing } from './dashboardProbe';
import { CODEX_PROMPT, MISSING_FILE, startFakeModelApi, sumUsage, type FakeModelApi } from './fakeModelApi';
import { MonitorClient, sameMoney, tokenTotals, waitFor } from './monitorClient';
import { agentmonitor, describeRun, startMonitor, type Monitor } from './monitorProcess';
import { expectDashboardShows, expectFinalAnswer, expectImportChangesNoTotal, expectPromptOnce, expectSessionEnded, expectSessionShown, type SessionUnderTest } from './sessionChecks';
import { codexOtelToml } from './userSetup';

const AGENT = 'codex';
const bins = findAgentBinaries();
const missingCli = typeof bins === 'string' ? bins : false;

/** USD per million tokens for gpt-5-codex (input, cached input, output), from FORMATS.md. */
const GPT5_CODEX_PRICE = { input: 1.25, cached: 0.125, output: 10 };

interface World {
  api: FakeModelApi;
  monitor: Monitor;
  client: MonitorClient;
  project: string;
  codexHome: string;
  userEnv: NodeJS.ProcessEnv;
  hooks: ProcessResult;
  run: CodexRun;
  sessionId: string;
  session: SessionUnderTest;
}

for (const [protocol, watch] of [['json', false], ['binary', true]] as const) {
  describe(`Codex with OTLP ${protocol}${watch ? ', serve following the logs' : ''}`, { skip: missingCli }, () => {
    const w = {} as World;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-codex-'));

    before(async () => {
      w.project = await makeProject(path.join(dir, `am-e2e-codex-${protocol}`));
      const home = path.join(dir, 'home');
      w.codexHome = path.join(home, '.codex');
      const dirs = { HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: w.codexHome };
      w.api = await startFakeModelApi();
      w.monitor = await startMonitor(path.join(dir, 'db', 'agentmonitor.db'), dirs, { watch });
      w.client = new MonitorClient(w.monitor.url);
      writeCodexConfig({ codexHome: w.codexHome, apiUrl: w.api.url, extraToml: codexOtelToml(w.monitor.url, protocol) });
      w.userEnv = { ...process.env, ...dirs, AGENTMONITOR_PORT: String(w.monitor.port) };
      w.hooks = await agentmonitor(['hooks', 'install', '--agent', 'codex'], w.userEnv);
      w.run = await runCodex({ bin: (bins as { codex: string }).codex, home, codexHome: w.codexHome, cwd: w.project, prompt: CODEX_PROMPT });
      w.sessionId = w.run.threadId ?? '';
      w.session = { client: w.client, sessionId: w.sessionId, agentType: AGENT, project: w.project, model: CODEX_MODEL };
    });

    after(async () => {
      await w.monitor?.stop();
      await w.api?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function expectExactTotals(): Promise<void> {
      const sent = sumUsage(w.api.codexReplies.map((r) => r.usage));
      const want = { tokens_in: sent.input_tokens - sent.cached_input_tokens, tokens_out: sent.output_tokens, cache_read_tokens: sent.cached_input_tokens, cache_write_tokens: 0 };
      const wantCost = (want.tokens_in * GPT5_CODEX_PRICE.input + want.cache_read_tokens * GPT5_CODEX_PRICE.cached + want.tokens_out * GPT5_CODEX_PRICE.output) / 1e6;
      const total = await waitFor('totals to match', async () => {
        const s = await w.client.stats();
        return JSON.stringify(tokenTotals(s.total)) === JSON.stringify(want) && sameMoney(s.total.cost_usd, wantCost) ? s.total : undefined;
      }).catch(async () => (await w.client.stats()).total);
      assert.deepEqual(tokenTotals(total), want);
      assert.ok(sameMoney(total.cost_usd, wantCost), `cost ${total.cost_usd} != ${wantCost}`);
      const session = (await w.client.session(w.sessionId)).session;
      assert.deepEqual(tokenTotals(session), want, 'the session row disagrees with the totals');
      const requests = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
      assert.equal(requests.length, w.api.codexReplies.length, 'one llm_request per response');
    }

    test('Codex runs the scripted turn and reports what the fake API returned', () => {
      assert.equal(w.run.code, 0, `codex failed: ${describeRun(w.run)}`);
      assert.ok(w.sessionId, 'no thread.started line');
      assert.deepEqual(w.api.codexReplies.map((r) => r.step), ['shell', 'failing-shell', 'final']);
      const sent = sumUsage(w.api.codexReplies.map((r) => r.usage));
      assert.equal(w.run.turnUsages.length, 1);
      const own = w.run.turnUsages[0];
      assert.deepEqual(
        { input: own.input_tokens, cached: own.cached_input_tokens, output: own.output_tokens, reasoning: own.reasoning_output_tokens },
        { input: sent.input_tokens, cached: sent.cached_input_tokens, output: sent.output_tokens, reasoning: sent.reasoning_output_tokens },
      );
      assert.ok(w.api.requests.every((r) => r.url.startsWith('/v1/')), `Codex called outside the model API: ${JSON.stringify(w.api.requests)}`);
    });

    test('agentmonitor hooks install wires Codex to the server', () => {
      assert.equal(w.hooks.code, 0, describeRun(w.hooks));
      const hooks = fs.readFileSync(path.join(w.codexHome, 'hooks.json'), 'utf8');
      assert.match(hooks, /agentmonitor/i);
    });

    test('the session shows with its project and model', () => expectSessionShown(w.session));

    test('the session ends when the agent exits', () => expectSessionEnded(w.session));

    test('every shell call is there once, the failing one as an error, with durations', async () => {
      const expected = w.api.codexReplies.flatMap((r) => r.toolCalls);
      assert.equal(expected.length, 2);
      const failing = expected.find((c) => String(c.input.cmd ?? c.input.command).includes(MISSING_FILE))!;
      const done = (e: StoredEvent) => e.status !== null && e.status !== 'running' && e.duration_ms !== null;
      const events = await waitFor('both tool calls completed', async () => {
        const evs = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
        return evs.filter(done).length >= expected.length ? evs : undefined;
      }).catch(() => w.client.events({ session_id: w.sessionId, event_type: 'tool_use' }));
      for (const call of expected) {
        const found = events.filter((e) => e.event_id === toolEventId(AGENT, call.id));
        assert.equal(found.length, 1, `tool call ${call.id}: ${found.length} events among ${events.map((e) => e.event_id).join(', ')}`);
        assert.equal(found[0].status, call === failing ? 'error' : 'success', `status of ${call.id}: ${JSON.stringify(found[0])}`);
        assert.equal(typeof found[0].duration_ms, 'number', `duration of ${call.id}`);
      }
      assert.equal(events.length, expected.length, `tool events beyond the calls: ${events.map((e) => `${e.tool_name}/${e.event_id}`).join(', ')}`);
    });

    test('tokens equal what the fake API reported, priced as gpt-5-codex', () => expectExactTotals());

    test('importing the rollout afterwards changes no total', async () => {
      const files = findFiles(path.join(w.codexHome, 'sessions'), /^rollout-.*\.jsonl$/);
      assert.equal(files.length, 1, `rollouts: ${files.join(', ')}`);
      await expectImportChangesNoTotal(w.client, {
        monitor: w.monitor, userEnv: w.userEnv, dirArgs: ['--codex-dir', w.codexHome], files, knownCalls: w.api.codexReplies.length,
        countTools: async () => (await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' })).length, watching: watch,
      });
    });

    test('after hooks, OTLP and the import, the session page shows the prompt once', () => expectPromptOnce(w.session, CODEX_PROMPT));

    test('the session page shows the final answer', () => expectFinalAnswer(w.session));

    test('the dashboard shows the session', { skip: chromiumMissing() }, () => expectDashboardShows(w.session, w.monitor.url));

    test('the totals are still exact once every channel has settled', () => expectExactTotals());
  });
}

/**
 * The real Claude Code CLI, configured exactly as the README tells users (hooks via
 * `agentmonitor hooks install`, OTLP telemetry env), runs a scripted conversation against the fake
 * model API; AgentMonitor's HTTP API must then show what happened and what it cost, counted once
 * across hooks, OTLP and the transcript import. Once with OTLP JSON, once with protobuf.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Session } from '../../../src/core/contracts/api';
import { toolEventId } from '../../../src/core/contracts/eventIds';
import type { StoredEvent } from '../../../src/core/contracts/events';
import { CLAUDE_MODEL, findAgentBinaries, findFiles, makeProject, runClaude, type ClaudeRun } from './agentProcess';
import { chromiumMissing } from './dashboardProbe';
import { CLAUDE_PROMPT, MISSING_FILE, startFakeModelApi, sumUsage, type FakeModelApi } from './fakeModelApi';
import { MonitorClient, sameMoney, sumTotals, tokenTotals, waitFor } from './monitorClient';
import { agentmonitor, describeRun, startMonitor, type Monitor } from './monitorProcess';
import { expectDashboardShows, expectFinalAnswer, expectImportChangesNoTotal, expectPromptOnce, expectSessionEnded, expectSessionShown, type SessionUnderTest } from './sessionChecks';
import type { ProcessResult } from './agentProcess';
import { claudeTelemetryEnv } from './userSetup';

const AGENT = 'claude-code';
const bins = findAgentBinaries();
const missingCli = typeof bins === 'string' ? bins : false;

interface World {
  api: FakeModelApi;
  monitor: Monitor;
  client: MonitorClient;
  project: string;
  configDir: string;
  userEnv: NodeJS.ProcessEnv;
  hooks: ProcessResult;
  run: ClaudeRun;
  sessionId: string;
  session: SessionUnderTest;
}

/** The main session and its subagent sessions as the API shows them. */
async function family(client: MonitorClient, sessionId: string): Promise<Session[]> {
  const detail = await client.session(sessionId);
  return [detail.session, ...detail.children];
}

async function toolEvents(client: MonitorClient, sessions: Session[]): Promise<StoredEvent[]> {
  return client.events({ session_id: sessions.map((s) => s.session_id), event_type: 'tool_use' });
}

for (const [protocol, watch] of [['http/json', false], ['http/protobuf', true]] as const) {
  describe(`Claude Code with OTLP ${protocol}${watch ? ', serve following the logs' : ''}`, { skip: missingCli }, () => {
    const w = {} as World;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-claude-'));

    before(async () => {
      w.project = await makeProject(path.join(dir, `am-e2e-claude-${protocol.replace('http/', '')}`));
      const home = path.join(dir, 'home');
      w.configDir = path.join(home, '.claude');
      fs.mkdirSync(w.configDir, { recursive: true });
      const dirs = { HOME: home, CLAUDE_CONFIG_DIR: w.configDir, CODEX_HOME: path.join(home, '.codex') };
      w.api = await startFakeModelApi();
      w.monitor = await startMonitor(path.join(dir, 'db', 'agentmonitor.db'), dirs, { watch });
      w.client = new MonitorClient(w.monitor.url);
      w.userEnv = { ...process.env, ...dirs, AGENTMONITOR_PORT: String(w.monitor.port) };
      w.hooks = await agentmonitor(['hooks', 'install', '--agent', 'claude'], w.userEnv);
      w.run = await runClaude({
        bin: (bins as { claude: string }).claude, home, configDir: w.configDir, cwd: w.project, apiUrl: w.api.url,
        prompt: CLAUDE_PROMPT, env: claudeTelemetryEnv(w.monitor.url, protocol),
      });
      w.sessionId = w.run.sessionId ?? '';
      w.session = { client: w.client, sessionId: w.sessionId, agentType: AGENT, project: w.project, model: CLAUDE_MODEL };
    });

    after(async () => {
      await w.monitor?.stop();
      await w.api?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    async function expectExactTotals(): Promise<void> {
      const sent = sumUsage(w.api.claudeReplies.map((r) => r.usage));
      const want = { tokens_in: sent.input_tokens, tokens_out: sent.output_tokens, cache_read_tokens: sent.cache_read_input_tokens, cache_write_tokens: sent.cache_creation_input_tokens };
      const wantCost = w.run.result!.total_cost_usd;
      const matches = (t: { cost_usd: number } & typeof want) => JSON.stringify(tokenTotals(t as never)) === JSON.stringify(want) && sameMoney(t.cost_usd, wantCost);
      const total = await waitFor('totals to match', async () => {
        const s = await w.client.stats();
        return matches(s.total) ? s.total : undefined;
      }).catch(async () => (await w.client.stats()).total);
      assert.deepEqual(tokenTotals(total), want);
      assert.ok(sameMoney(total.cost_usd, wantCost), `cost ${total.cost_usd} != total_cost_usd ${wantCost}`);
      const sessions = sumTotals(await family(w.client, w.sessionId));
      assert.deepEqual(tokenTotals(sessions), want, 'session rows (main + subagent) disagree with the totals');
      assert.ok(sameMoney(sessions.cost_usd, wantCost), `session cost ${sessions.cost_usd} != ${wantCost}`);
      const requests = await w.client.events({ session_id: (await family(w.client, w.sessionId)).map((s) => s.session_id), event_type: 'llm_request' });
      assert.equal(requests.length, w.api.claudeReplies.length, 'one llm_request per API call');
    }

    test('Claude Code runs the scripted conversation and reports what the fake API returned', () => {
      assert.equal(w.run.code, 0, `claude failed: ${describeRun(w.run)}`);
      assert.ok(w.run.result && !w.run.result.is_error, `no successful result line: ${describeRun(w.run)}`);
      assert.deepEqual(w.api.claudeReplies.map((r) => r.step), ['bash', 'reads', 'agent', 'sub-bash', 'sub-final', 'final']);
      const sent = sumUsage(w.api.claudeReplies.map((r) => r.usage));
      const own = w.run.result.modelUsage[CLAUDE_MODEL];
      assert.deepEqual(
        { in: own.inputTokens, out: own.outputTokens, read: own.cacheReadInputTokens, write: own.cacheCreationInputTokens },
        { in: sent.input_tokens, out: sent.output_tokens, read: sent.cache_read_input_tokens, write: sent.cache_creation_input_tokens },
      );
      assert.ok(w.run.result.total_cost_usd > 0);
    });

    test('agentmonitor hooks install wires Claude Code to the server', () => {
      assert.equal(w.hooks.code, 0, describeRun(w.hooks));
      const settings = fs.readFileSync(path.join(w.configDir, 'settings.json'), 'utf8');
      assert.match(settings, new RegExp(`127\\.0\\.0\\.1:${w.monitor.port}`), 'settings.json does not point at the running server');
    });

    test('the session shows with its project and model', () => expectSessionShown(w.session));

    test('the session ends when the agent exits', () => expectSessionEnded(w.session));

    test('every tool call is there once, with its status and duration', async () => {
      const expected = w.api.claudeReplies.flatMap((r) => r.toolUses);
      assert.equal(expected.length, 5);
      const expectFailed = new Set(expected.filter((c) => c.name === 'Read' && String(c.input.file_path).endsWith(MISSING_FILE)).map((c) => c.id));
      assert.equal(expectFailed.size, 1);
      const done = (e: StoredEvent) => e.status !== null && e.status !== 'running' && e.duration_ms !== null;
      const events = await waitFor('all tool calls completed', async () => {
        const evs = await toolEvents(w.client, await family(w.client, w.sessionId));
        return evs.filter(done).length >= expected.length ? evs : undefined;
      }).catch(async () => toolEvents(w.client, await family(w.client, w.sessionId)));
      const byId = new Map<string, StoredEvent[]>();
      for (const e of events) byId.set(e.event_id ?? `#${e.id}`, [...(byId.get(e.event_id ?? `#${e.id}`) ?? []), e]);
      for (const call of expected) {
        const found = byId.get(toolEventId(AGENT, call.id)) ?? [];
        assert.equal(found.length, 1, `tool call ${call.name} ${call.id}: ${found.length} events`);
        const e = found[0];
        assert.equal(e.tool_name, call.name);
        assert.equal(e.status, expectFailed.has(call.id) ? 'error' : 'success', `status of ${call.name} ${call.id}`);
        assert.equal(typeof e.duration_ms, 'number', `duration of ${call.name} ${call.id}`);
        assert.ok((e.duration_ms as number) >= 0);
      }
      assert.equal(events.length, expected.length, `tool events beyond the ${expected.length} calls: ${events.map((e) => `${e.tool_name}/${e.event_id}`).join(', ')}`);
    });

    test('the subagent works inside its parent session (as its transcript and telemetry say), its start and stop marked there', async () => {
      const subCall = w.api.claudeReplies.find((r) => r.step === 'sub-bash')!.toolUses[0];
      const sub = await waitFor('the subagent tool call', async () => {
        const evs = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
        return evs.find((e) => e.event_id === toolEventId(AGENT, subCall.id));
      });
      assert.equal(sub.session_id, w.sessionId);
      const marks = await w.client.events({ session_id: w.sessionId, event_type: ['subagent_start', 'subagent_stop'] });
      assert.ok(marks.some((e) => e.event_type === 'subagent_start'), `no subagent_start among ${marks.map((e) => e.event_type).join(', ')}`);
      assert.deepEqual((await w.client.session(w.sessionId)).children, [], 'no separate subagent session');
    });

    test("tokens equal what the fake API reported; cost equals Claude Code's own total_cost_usd", () => expectExactTotals());

    test('importing the transcripts afterwards changes no total', async () => {
      const files = findFiles(path.join(w.configDir, 'projects'), /\.jsonl$/);
      assert.ok(files.some((f) => f.includes(`${w.sessionId}.jsonl`)), `no transcript for ${w.sessionId}: ${files.join(', ')}`);
      assert.ok(files.some((f) => /subagents\/agent-[^/]+\.jsonl$/.test(f)), 'no subagent transcript');
      await expectImportChangesNoTotal(w.client, {
        monitor: w.monitor, userEnv: w.userEnv, dirArgs: ['--claude-dir', w.configDir], files, knownCalls: w.api.claudeReplies.length,
        countTools: async () => (await toolEvents(w.client, await family(w.client, w.sessionId))).length, watching: watch,
      });
    });

    test('after hooks, OTLP and the import, the session page shows the prompt once', () => expectPromptOnce(w.session, CLAUDE_PROMPT));

    test('the session page shows the final answer', () => expectFinalAnswer(w.session));

    test('the dashboard shows the session', { skip: chromiumMissing() }, () => expectDashboardShows(w.session, w.monitor.url));

    test('the totals are still exact once every channel has settled', () => expectExactTotals());
  });
}

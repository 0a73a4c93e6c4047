/**
 * The real OpenCode (`opencode run`, pinned in cli/package.json) runs a scripted turn — a bash `ls`,
 * a `read` of a missing file, a `task` sub-agent, a final answer — against the fake Chat Completions
 * API on loopback (a custom provider's `baseURL` in the project's opencode.json), offline, in a
 * temporary HOME. AgentMonitor reads the database it wrote (`$XDG_DATA_HOME/opencode/opencode.db`,
 * most of it still in the WAL): by `agentmonitor import`, and live with `serve` polling it. The
 * session must show with exactly the tokens the fake API answered (the sub-agent's call under its
 * root session), priced as gpt-5 with OpenCode's own figure beside, each tool call once with its
 * status, and a second read must change no total.
 * Not covered: the session's end (the database has no end record; it ends after the idle
 * threshold), hooks and OTLP (OpenCode has plugins, not hooks, and no OTLP export of ours).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImportSummary } from '../../../src/core/contracts/api';
import { findOpencodeBinary, makeProject, OPENCODE_MODEL, OPENCODE_MODEL_COST, parseJsonLines, runOpencode, writeOpencodeConfig, type ProcessResult } from './agentProcess';
import { chromiumMissing } from './dashboardProbe';
import { CODEX_PROMPT, MISSING_FILE, startFakeModelApi, sumUsage, type FakeModelApi } from './fakeModelApi';
import { MonitorClient, sameMoney, tokenTotals, waitFor } from './monitorClient';
import { agentmonitor, describeRun, startMonitor, type Monitor } from './monitorProcess';
import { expectDashboardShows, expectFinalAnswer, expectImportChangesNoTotal, expectPromptOnce, expectSessionShown, type SessionUnderTest } from './sessionChecks';

const AGENT = 'opencode';
const PROMPT = CODEX_PROMPT;
const bin = findOpencodeBinary();
const missingCli = typeof bin === 'string' ? false : bin.missing;

interface World {
  api: FakeModelApi;
  monitor: Monitor;
  client: MonitorClient;
  project: string;
  dataDir: string;
  userEnv: NodeJS.ProcessEnv;
  run: ProcessResult;
  sessionId: string;
  session: SessionUnderTest;
}

for (const watch of [false, true]) {
  describe(`OpenCode${watch ? ', serve polling its database' : ', imported'}`, { skip: missingCli }, () => {
    const w = {} as World;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-opencode-'));

    before(async () => {
      w.project = await makeProject(path.join(dir, `am-e2e-opencode-${watch ? 'live' : 'import'}`));
      const home = path.join(dir, 'home');
      w.dataDir = path.join(home, '.local', 'share', 'opencode');
      const dirs = { HOME: home, XDG_DATA_HOME: path.join(home, '.local', 'share'), CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: path.join(home, '.codex') };
      w.api = await startFakeModelApi();
      w.monitor = await startMonitor(path.join(dir, 'db', 'agentmonitor.db'), dirs, { watch });
      w.client = new MonitorClient(w.monitor.url);
      writeOpencodeConfig(w.project, w.api.url);
      w.userEnv = { ...process.env, ...dirs, AGENTMONITOR_PORT: String(w.monitor.port) };
      w.run = await runOpencode({ bin: bin as string, home, cwd: w.project, prompt: PROMPT });
      w.sessionId = String(parseJsonLines(w.run.stdout).find((l) => typeof l.sessionID === 'string')?.sessionID ?? '');
      w.session = { client: w.client, sessionId: w.sessionId, agentType: AGENT, project: w.project, model: OPENCODE_MODEL };
    });

    after(async () => {
      await w.monitor?.stop();
      await w.api?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const replies = () => w.api.opencodeReplies;
    const dbFile = () => path.join(w.dataDir, 'opencode.db');

    test('OpenCode runs the scripted turn against the fake API, offline', () => {
      assert.equal(w.run.code, 0, `opencode failed: ${describeRun(w.run)}`);
      assert.ok(w.sessionId.startsWith('ses_'), `no sessionID in opencode's JSON output: ${describeRun(w.run)}`);
      assert.deepEqual(replies().map((r) => `${r.step}${r.subagent ? ' (sub-agent)' : ''}`), ['bash', 'failing-read', 'subagent', 'subagent-answer (sub-agent)', 'final']);
      assert.ok(w.api.requests.every((r) => r.url === '/v1/chat/completions'), `OpenCode called outside the model API: ${JSON.stringify(w.api.requests)}`);
      assert.ok(fs.existsSync(dbFile()), `no database in ${w.dataDir}`);
    });

    if (!watch) {
      test('agentmonitor import reads the database', async () => {
        const r = await agentmonitor(['import', '--opencode-dir', w.dataDir, '--db', w.monitor.dbPath, '--json'], w.userEnv);
        assert.equal(r.code, 0, describeRun(r));
        const summary = JSON.parse(r.stdout) as ImportSummary;
        assert.equal(summary.files, 1, r.stdout);
        assert.equal(summary.skipped_lines, 0, r.stdout);
      });
    }

    test('the session shows with its project and model', () => expectSessionShown(w.session));

    test('tokens equal what the fake API answered, each call once (the sub-agent\'s too), priced as gpt-5', async () => {
      const sent = sumUsage(replies().map((r) => r.usage));
      const want = {
        tokens_in: sent.prompt_tokens - sent.cached_tokens,
        tokens_out: sent.completion_tokens,
        cache_read_tokens: sent.cached_tokens,
        cache_write_tokens: 0,
      };
      const p = OPENCODE_MODEL_COST;
      const wantCost = (want.tokens_in * p.input + want.cache_read_tokens * p.cache_read + want.tokens_out * p.output) / 1e6;
      const total = await waitFor('totals to match', async () => {
        const s = await w.client.stats();
        return JSON.stringify(tokenTotals(s.total)) === JSON.stringify(want) ? s.total : undefined;
      }).catch(async () => (await w.client.stats()).total);
      assert.deepEqual(tokenTotals(total), want, `serve: ${w.monitor.serve.output().slice(-3000)}`);
      assert.ok(sameMoney(total.cost_usd, wantCost), `cost ${total.cost_usd} != ${wantCost}`);
      const session = (await w.client.session(w.sessionId)).session;
      assert.deepEqual(tokenTotals(session), want, 'the session row disagrees with the totals');
      const requests = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
      assert.equal(requests.length, replies().length, 'one llm_request per call');
      assert.equal(requests.reduce((a, e) => a + e.reasoning_tokens, 0), sent.reasoning_tokens);
      // OpenCode's own figure, from the same prices, kept beside ours.
      const own = requests.reduce((a, e) => a + Number((e.metadata as { agent_cost_usd?: number } | null)?.agent_cost_usd ?? 0), 0);
      assert.ok(sameMoney(own, wantCost), `OpenCode's own ${own} != ${wantCost}`);
    });

    test('every tool call is there once, the failing read as an error, the sub-agent\'s under its root', async () => {
      const expected = replies().flatMap((r) => r.toolCalls);
      assert.deepEqual(expected.map((c) => c.name), ['bash', 'read', 'task']);
      const events = await waitFor('the tool calls', async () => {
        const evs = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
        return evs.length >= expected.length ? evs : undefined;
      }).catch(() => w.client.events({ session_id: w.sessionId, event_type: 'tool_use' }));
      for (const call of expected) {
        const found = events.filter((e) => (e.metadata as { call_id?: string } | null)?.call_id === call.id);
        assert.equal(found.length, 1, `tool call ${call.id}: ${found.length} events among ${events.map((e) => e.event_id).join(', ')}`);
        assert.equal(found[0].tool_name, call.name);
        assert.equal(found[0].status, call.input.filePath === MISSING_FILE ? 'error' : 'success');
      }
      assert.equal(events.length, expected.length, `tool events beyond the calls: ${events.map((e) => `${e.tool_name}/${e.event_id}`).join(', ')}`);
      const sub = await w.client.events({ session_id: w.sessionId, event_type: 'subagent_start' });
      assert.equal(sub.length, 1, 'the task tool\'s child session is a sub-agent of this one');
    });

    test('reading the database again changes no total', () =>
      expectImportChangesNoTotal(w.client, {
        monitor: w.monitor, userEnv: w.userEnv, dirArgs: ['--opencode-dir', w.dataDir], files: [dbFile()], knownCalls: replies().length,
        countTools: async () => (await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' })).length,
        watching: true,
      }));

    // `opencode run` stores its message words quoted.
    test('the session page shows the prompt once', () => expectPromptOnce(w.session, `"${PROMPT}"`));

    test('the session page shows the final answer', () => expectFinalAnswer(w.session));

    test('the dashboard shows the session', { skip: chromiumMissing() }, () => expectDashboardShows(w.session, w.monitor.url));
  });
}

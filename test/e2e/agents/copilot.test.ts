/**
 * The real GitHub Copilot CLI (`copilot -p`, pinned in cli/package.json) runs a scripted turn — a
 * `bash` call, a `view` of a missing file, a final answer — offline (COPILOT_OFFLINE) against the
 * fake model API on loopback as its BYOK Anthropic provider (COPILOT_PROVIDER_BASE_URL,
 * COPILOT_PROVIDER_TYPE=anthropic), in a temporary HOME. AgentMonitor reads the session log it wrote
 * (`~/.copilot/session-state/<id>/events.jsonl`): by `agentmonitor import`, and live with `serve`
 * following the logs. The session must show with exactly the tokens the fake API reported (the
 * log's inputTokens include the cache reads and writes), each tool call once with its status, the
 * session ended by its shutdown, and a second read must change no total; resumed, its second
 * shutdown (the whole session's totals again) must add nothing. The CLI's
 * `session-store.db`, read too (imported, and polled live), repeats the calls and must add nothing.
 * Its telemetry goes to the server as the README's environment says (OTLP/HTTP JSON traces): each
 * call then arrives twice, as a `chat` span and in the log, and must count once; each tool call as
 * an `execute_tool` span too.
 * Not covered: hooks (not mapped: their input names no tool call or message id, docs/E2E.md); the
 * session store alone (integration test copilotImport).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImportSummary } from '../../../src/core/contracts/api';
import { toolEventId } from '../../../src/core/contracts/eventIds';
import { copilotTelemetryEnv } from '../../../src/core/setup/snippets';
import { COPILOT_MODEL, copilotArgs, copilotEnv, findCopilotBinary, findFiles, makeProject, runCopilot, runProcess, type ProcessResult } from './agentProcess';
import { chromiumMissing } from './dashboardProbe';
import { CODEX_PROMPT, MISSING_FILE, startFakeModelApi, sumUsage, type FakeModelApi } from './fakeModelApi';
import { MonitorClient, sameMoney, tokenTotals, waitFor } from './monitorClient';
import { agentmonitor, describeRun, startMonitor, type Monitor } from './monitorProcess';
import { expectDashboardShows, expectFinalAnswer, expectImportChangesNoTotal, expectPromptOnce, expectSessionEnded, expectSessionShown, type SessionUnderTest } from './sessionChecks';

const AGENT = 'copilot-cli';
const PROMPT = CODEX_PROMPT;
const bin = findCopilotBinary();
const missingCli = typeof bin === 'string' ? false : bin.missing;

/** USD per million tokens for claude-sonnet-4-6 (input, cache read, cache write 5m, output), as in pricing/tables/claude.json. */
const SONNET_46_PRICE = { input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15 };

interface World {
  api: FakeModelApi;
  monitor: Monitor;
  client: MonitorClient;
  project: string;
  copilotDir: string;
  userEnv: NodeJS.ProcessEnv;
  run: ProcessResult;
  sessionId: string;
  session: SessionUnderTest;
  logFiles: string[];
}

for (const watch of [false, true]) {
  describe(`Copilot CLI${watch ? ', serve following the logs' : ', imported'}`, { skip: missingCli }, () => {
    const w = {} as World;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-copilot-'));

    before(async () => {
      w.project = await makeProject(path.join(dir, `am-e2e-copilot-${watch ? 'live' : 'import'}`));
      const home = path.join(dir, 'home');
      w.copilotDir = path.join(home, '.copilot');
      const dirs = { HOME: home, COPILOT_HOME: w.copilotDir, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: path.join(home, '.codex') };
      // Copilot CLI is installed: its folder is there when the server starts.
      fs.mkdirSync(w.copilotDir, { recursive: true });
      w.api = await startFakeModelApi();
      w.monitor = await startMonitor(path.join(dir, 'db', 'agentmonitor.db'), dirs, { watch });
      w.client = new MonitorClient(w.monitor.url);
      w.userEnv = { ...process.env, ...dirs, AGENTMONITOR_PORT: String(w.monitor.port) };
      w.run = await runCopilot({ bin: bin as string, home, cwd: w.project, apiUrl: w.api.url, prompt: PROMPT, env: copilotTelemetryEnv({ url: w.monitor.url }) });
      w.logFiles = findFiles(path.join(w.copilotDir, 'session-state'), /events\.jsonl$/);
      w.sessionId = w.logFiles.length === 1 ? path.basename(path.dirname(w.logFiles[0])) : '';
      w.session = { client: w.client, sessionId: w.sessionId, agentType: AGENT, project: w.project, model: COPILOT_MODEL };
    });

    after(async () => {
      await w.monitor?.stop();
      await w.api?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const turns = () => w.api.copilotReplies;

    test('Copilot CLI runs the scripted turn offline against the fake API', () => {
      assert.equal(w.run.code, 0, `copilot failed: ${describeRun(w.run)}`);
      assert.deepEqual(turns().map((r) => r.step), ['bash', 'failing-view', 'final'], describeRun(w.run));
      assert.ok(w.api.requests.every((r) => r.url === '/copilot/v1/messages'), `Copilot CLI called outside the model API: ${JSON.stringify(w.api.requests)}`);
      assert.equal(w.logFiles.length, 1, `session logs: ${w.logFiles.join(', ')}`);
      assert.ok(fs.existsSync(path.join(w.copilotDir, 'session-store.db')), 'the session store is written too');
    });

    if (!watch) {
      test('OTLP brought every call and both tool calls before any import', async () => {
        const otel = await waitFor('an llm_request per call from OTLP', async () => {
          const evs = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
          return evs.length >= turns().length ? evs : undefined;
        }).catch(() => w.client.events({ session_id: w.sessionId, event_type: 'llm_request' }));
        assert.deepEqual(otel.map((e) => e.source), turns().map(() => 'otel'));
        const tools = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
        assert.deepEqual(tools.map((e) => e.source), ['otel', 'otel']);
      });

      test('agentmonitor import reads the session log and recognises every call OTLP brought', async () => {
        const r = await agentmonitor(['import', '--copilot-dir', w.copilotDir, '--db', w.monitor.dbPath, '--json'], w.userEnv);
        assert.equal(r.code, 0, describeRun(r));
        const summary = JSON.parse(r.stdout) as ImportSummary;
        assert.equal(summary.files, 2, `events.jsonl and session-store.db: ${r.stdout}`);
        assert.equal(summary.skipped_lines, 0, r.stdout);
        assert.ok(summary.duplicates >= turns().length, `import recognised only ${summary.duplicates} known events: ${r.stdout}`);
      });
    } else {
      test('serve reads the session log live: the calls, both tool calls and the end arrive without an import', async () => {
        await waitFor('the session log read live', async () => {
          const s = (await w.client.sessionOrUndefined(w.sessionId))?.session;
          const tools = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
          const calls = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
          return s?.status === 'ended' && calls.length >= turns().length && tools.filter((t) => t.status !== 'running').length >= 2 ? true : undefined;
        });
      });
    }

    test('the session shows with its project and model', () => expectSessionShown(w.session));

    test('tokens equal what the fake API reported, priced as claude-sonnet-4-6', async () => {
      const sent = sumUsage(turns().map((r) => r.usage));
      const want = {
        tokens_in: sent.input_tokens,
        tokens_out: sent.output_tokens,
        cache_read_tokens: sent.cache_read_input_tokens,
        cache_write_tokens: sent.cache_creation_input_tokens,
      };
      const p = SONNET_46_PRICE;
      const wantCost = (want.tokens_in * p.input + want.cache_read_tokens * p.cacheRead + want.cache_write_tokens * p.cacheWrite + want.tokens_out * p.output) / 1e6;
      const total = await waitFor('totals to match', async () => {
        const s = await w.client.stats();
        return JSON.stringify(tokenTotals(s.total)) === JSON.stringify(want) && sameMoney(s.total.cost_usd, wantCost) ? s.total : undefined;
      }).catch(async () => (await w.client.stats()).total);
      const stored = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
      const seen = () =>
        `stored requests: ${stored.map((e) => `${e.event_id} ${e.source} ${e.tokens_in}/${e.cache_read_tokens}/${e.cache_write_tokens}/${e.tokens_out}`).join(', ')}\n` +
        `serve: ${w.monitor.serve.output().slice(-3000)}`;
      assert.deepEqual(tokenTotals(total), want, seen());
      assert.ok(sameMoney(total.cost_usd, wantCost), `cost ${total.cost_usd} != ${wantCost}`);
      const session = (await w.client.session(w.sessionId)).session;
      assert.deepEqual(tokenTotals(session), want, 'the session row disagrees with the totals');
      assert.equal(stored.length, turns().length, `one llm_request per response; ${seen()}`);
      assert.deepEqual(stored.map((e) => e.event_id).sort(), turns().map((r) => `llm:${AGENT}:${w.sessionId}#${r.messageId}`).sort(), 'each call under the provider\'s response id');
    });

    test('every tool call is there once, the failing view as an error', async () => {
      const expected = turns().flatMap((r) => r.toolCalls);
      assert.equal(expected.length, 2);
      const events = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
      for (const call of expected) {
        const found = events.filter((e) => e.event_id === toolEventId(AGENT, call.id));
        assert.equal(found.length, 1, `tool call ${call.id}: ${found.length} events among ${events.map((e) => e.event_id).join(', ')}`);
        assert.equal(found[0].tool_name, call.name);
        assert.equal(found[0].status, String(call.input.path ?? '').endsWith(MISSING_FILE) ? 'error' : 'success', `status of ${call.id}: ${JSON.stringify(found[0])}`);
      }
      assert.equal(events.length, expected.length, `tool events beyond the calls: ${events.map((e) => `${e.tool_name}/${e.event_id}`).join(', ')}`);
    });

    test('the session ends with its shutdown', () => expectSessionEnded(w.session));

    test('reading the session log again changes no total', () =>
      expectImportChangesNoTotal(w.client, {
        monitor: w.monitor, userEnv: w.userEnv, dirArgs: ['--copilot-dir', w.copilotDir], files: [...w.logFiles, path.join(w.copilotDir, 'session-store.db')], knownCalls: turns().length,
        countTools: async () => (await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' })).length,
        watching: true,
      }));

    test('the session page shows the prompt once', () => expectPromptOnce(w.session, PROMPT));

    test('the session page shows the final answer', () => expectFinalAnswer(w.session));

    test('the dashboard shows the session', { skip: chromiumMissing() }, () => expectDashboardShows(w.session, w.monitor.url));

    test('resumed (copilot --resume): its second shutdown repeats the whole session\'s totals, yet each call counts once', async () => {
      const before = turns().length;
      const again = await runProcess(bin as string, ['--resume', w.sessionId, ...copilotArgs('say it again')], {
        cwd: w.project, env: copilotEnv({ home: path.dirname(w.copilotDir), apiUrl: w.api.url, env: copilotTelemetryEnv({ url: w.monitor.url }) }), timeoutMs: 120_000,
      });
      assert.equal(again.code, 0, describeRun(again));
      assert.equal(turns().length, before + 1, 'one more call: the scripted answer');
      const log = fs.readFileSync(w.logFiles[0], 'utf8');
      assert.equal(log.split('"type":"session.shutdown"').length - 1, 2, 'two shutdowns in the log');
      if (!watch) {
        const r = await agentmonitor(['import', '--copilot-dir', w.copilotDir, '--db', w.monitor.dbPath, '--json'], w.userEnv);
        assert.equal(r.code, 0, describeRun(r));
      }
      const sent = sumUsage(turns().map((r) => r.usage));
      const want = { tokens_in: sent.input_tokens, tokens_out: sent.output_tokens, cache_read_tokens: sent.cache_read_input_tokens, cache_write_tokens: sent.cache_creation_input_tokens };
      const session = await waitFor('the resumed call counted', async () => {
        const s = (await w.client.session(w.sessionId)).session;
        return JSON.stringify(tokenTotals(s)) === JSON.stringify(want) && s.status === 'ended' ? s : undefined;
      }).catch(async () => (await w.client.session(w.sessionId)).session);
      assert.deepEqual(tokenTotals(session), want);
      const calls = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
      assert.equal(calls.length, turns().length, calls.map((e) => `${e.event_id} ${e.source}`).join(', '));
    });
  });
}

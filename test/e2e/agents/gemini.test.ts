/**
 * The real Gemini CLI (`gemini -p`, pinned in cli/package.json) runs a scripted turn — a
 * `list_directory` call, a `read_file` of a missing file, a final answer — against the fake Gemini
 * API on loopback (GOOGLE_GEMINI_BASE_URL), in a temporary HOME. AgentMonitor reads the chat log it
 * wrote (`~/.gemini/tmp/<project>/chats/session-*.jsonl`): by `agentmonitor import`, and live with
 * `serve` following the logs. The session must show with exactly the tokens the fake API reported
 * (input includes cached; thoughts bill as output), each tool call once with its status, and a
 * second read must change no total. Its telemetry goes to the server as the README's settings
 * say (OTLP/HTTP JSON): each call then arrives twice, as a `gemini_cli.api_response` record and in
 * the chat log, and must count once.
 * In the imported run our hooks are installed too (`agentmonitor hooks install --agent gemini`):
 * before any import the session shows through them, its prompt and both calls paired (start and
 * end one event, with the hooks' duration) under the ids the chat-log importer gives, and its end;
 * the import then adds no call and no prompt.
 * Not covered: the followed run's session end (without hooks the chat log has no end record; it
 * ends after the idle threshold), tool durations without hooks (the log has none).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ImportSummary } from '../../../src/core/contracts/api';
import { toolEventId } from '../../../src/core/contracts/eventIds';
import { findFiles, findGeminiBinary, GEMINI_MODEL, makeProject, runGemini, writeGeminiSettings, type GeminiRun } from './agentProcess';
import { chromiumMissing } from './dashboardProbe';
import { CODEX_PROMPT, MISSING_FILE, startFakeModelApi, sumUsage, type FakeModelApi } from './fakeModelApi';
import { MonitorClient, sameMoney, tokenTotals, waitFor } from './monitorClient';
import { geminiTelemetrySettings } from './userSetup';
import { agentmonitor, describeRun, startMonitor, type Monitor } from './monitorProcess';
import { expectDashboardShows, expectFinalAnswer, expectImportChangesNoTotal, expectPromptOnce, expectSessionShown, type SessionUnderTest } from './sessionChecks';

const AGENT = 'gemini-cli';
const PROMPT = CODEX_PROMPT;
const bin = findGeminiBinary();
const missingCli = typeof bin === 'string' ? false : bin.missing;

/** USD per million tokens for gemini-2.5-pro up to 200k tokens (input, cached input, output), as in pricing/tables/gemini.json. */
const GEMINI_25_PRO_PRICE = { input: 1.25, cached: 0.125, output: 10 };

interface World {
  api: FakeModelApi;
  monitor: Monitor;
  client: MonitorClient;
  project: string;
  geminiDir: string;
  userEnv: NodeJS.ProcessEnv;
  run: GeminiRun;
  sessionId: string;
  session: SessionUnderTest;
  chatFiles: string[];
}

for (const watch of [false, true]) {
  describe(`Gemini CLI${watch ? ', serve following the logs' : ', imported'}`, { skip: missingCli }, () => {
    const w = {} as World;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-gemini-'));

    before(async () => {
      w.project = await makeProject(path.join(dir, `am-e2e-gemini-${watch ? 'live' : 'import'}`));
      const home = path.join(dir, 'home');
      w.geminiDir = path.join(home, '.gemini');
      const dirs = { HOME: home, GEMINI_CLI_HOME: home, CLAUDE_CONFIG_DIR: path.join(home, '.claude'), CODEX_HOME: path.join(home, '.codex') };
      // Gemini CLI is installed: its folder is there when the server starts (serve watches the
      // agents' folders that exist then).
      fs.mkdirSync(w.geminiDir, { recursive: true });
      w.api = await startFakeModelApi();
      w.monitor = await startMonitor(path.join(dir, 'db', 'agentmonitor.db'), dirs, { watch });
      w.client = new MonitorClient(w.monitor.url);
      writeGeminiSettings(home, geminiTelemetrySettings(w.monitor.url));
      w.userEnv = { ...process.env, ...dirs, AGENTMONITOR_PORT: String(w.monitor.port) };
      if (!watch) {
        const r = await agentmonitor(['hooks', 'install', '--agent', 'gemini'], w.userEnv);
        assert.equal(r.code, 0, describeRun(r));
        assert.match(r.stdout, /Gemini CLI \(user\): added 8 hooks to .*\.gemini\/settings\.json/);
      }
      w.run = await runGemini({ bin: bin as string, home, cwd: w.project, apiUrl: w.api.url, prompt: PROMPT });
      w.sessionId = w.run.json?.session_id ?? '';
      w.session = { client: w.client, sessionId: w.sessionId, agentType: AGENT, project: w.project, model: GEMINI_MODEL };
      w.chatFiles = findFiles(path.join(w.geminiDir, 'tmp'), /\.jsonl$/);
    });

    after(async () => {
      await w.monitor?.stop();
      await w.api?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const turns = () => w.api.geminiReplies.filter((r) => r.stream);

    async function expectExactTotals(): Promise<void> {
      const sent = sumUsage(turns().map((r) => r.usage));
      const want = {
        tokens_in: sent.promptTokenCount - sent.cachedContentTokenCount,
        tokens_out: sent.candidatesTokenCount + sent.thoughtsTokenCount,
        cache_read_tokens: sent.cachedContentTokenCount,
        cache_write_tokens: 0,
      };
      const p = GEMINI_25_PRO_PRICE;
      const wantCost = (want.tokens_in * p.input + want.cache_read_tokens * p.cached + want.tokens_out * p.output) / 1e6;
      const total = await waitFor('totals to match', async () => {
        const s = await w.client.stats();
        return JSON.stringify(tokenTotals(s.total)) === JSON.stringify(want) && sameMoney(s.total.cost_usd, wantCost) ? s.total : undefined;
      }).catch(async () => (await w.client.stats()).total);
      const stored = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
      const seen = () =>
        `stored requests: ${stored.map((e) => `${e.event_id} ${e.source}`).join(', ')}\n` +
        `chat log: ${w.chatFiles.map((f) => fs.readFileSync(f, 'utf8').split('\n').map((l) => l.slice(0, 160)).join('\n')).join('\n')}\n` +
        `serve: ${w.monitor.serve.output().slice(-3000)}`;
      assert.deepEqual(tokenTotals(total), want, seen());
      assert.ok(sameMoney(total.cost_usd, wantCost), `cost ${total.cost_usd} != ${wantCost}`);
      const session = (await w.client.session(w.sessionId)).session;
      assert.deepEqual(tokenTotals(session), want, 'the session row disagrees with the totals');
      const requests = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
      assert.equal(requests.length, turns().length, `one llm_request per response; ${seen()}`);
      const reasoning = requests.reduce((a, e) => a + e.reasoning_tokens, 0);
      assert.equal(reasoning, sent.thoughtsTokenCount, 'thoughts are the reasoning part of the output');
    }

    test('Gemini CLI runs the scripted turn and reports what the fake API returned', () => {
      assert.equal(w.run.code, 0, `gemini failed: ${describeRun(w.run)}`);
      assert.ok(w.sessionId, `no session_id in gemini's JSON output: ${describeRun(w.run)}`);
      assert.deepEqual(turns().map((r) => r.step), ['list', 'failing-read', 'final']);
      assert.deepEqual(w.api.geminiReplies.filter((r) => !r.stream), [], 'side calls (router) are not in the chat log: the test names the model so there are none');
      // The CLI's own accounting agrees with what the fake sent.
      const own = w.run.json!.stats.models[GEMINI_MODEL];
      const sent = sumUsage(turns().map((r) => r.usage));
      assert.deepEqual(
        { requests: own.api.totalRequests, prompt: own.tokens.prompt, cached: own.tokens.cached, candidates: own.tokens.candidates, thoughts: own.tokens.thoughts },
        { requests: 3, prompt: sent.promptTokenCount, cached: sent.cachedContentTokenCount, candidates: sent.candidatesTokenCount, thoughts: sent.thoughtsTokenCount },
      );
      assert.ok(w.api.requests.every((r) => r.url.startsWith('/v1beta/models/')), `Gemini CLI called outside the model API: ${JSON.stringify(w.api.requests)}`);
      assert.equal(w.chatFiles.length, 1, `chat files: ${w.chatFiles.join(', ')}`);
    });

    if (!watch) {
      test('OTLP brought every call before any import', async () => {
        const otel = await waitFor('an llm_request per call from OTLP', async () => {
          const evs = await w.client.events({ session_id: w.sessionId, event_type: 'llm_request' });
          return evs.length >= turns().length ? evs : undefined;
        }).catch(() => w.client.events({ session_id: w.sessionId, event_type: 'llm_request' }));
        assert.deepEqual(otel.map((e) => e.source), turns().map(() => 'otel'));
      });

      test('hooks showed the session before any import: its prompt, both calls paired under the importer\'s ids, its end', async () => {
        const expected = turns().flatMap((r) => r.toolCalls);
        const calls = await waitFor('both calls from hooks', async () => {
          const evs = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
          return evs.length >= expected.length ? evs : undefined;
        }).catch(() => w.client.events({ session_id: w.sessionId, event_type: 'tool_use' }));
        const serve = () => `serve: ${w.monitor.serve.output().slice(-3000)}`;
        assert.deepEqual(
          calls.map((e) => [e.event_id, e.source, e.status]).sort(),
          expected.map((c) => [toolEventId(AGENT, `${c.name}__${c.id}`), 'hook', c.input.file_path === MISSING_FILE ? 'error' : 'success']).sort(),
          serve(),
        );
        for (const e of calls) assert.ok(e.duration_ms !== null && e.duration_ms >= 0, `a paired call has the hooks' duration: ${JSON.stringify(e)}`);
        const ended = await waitFor('the session end from SessionEnd', async () => {
          const evs = await w.client.events({ session_id: w.sessionId, event_type: 'session_end' });
          return evs.length ? evs : undefined;
        });
        assert.deepEqual(ended.map((e) => e.source), ['hook']);
        const prompts = await w.client.events({ session_id: w.sessionId, event_type: 'user_prompt' });
        assert.deepEqual(prompts.map((e) => e.source), ['hook']);
        const stops = await w.client.events({ session_id: w.sessionId, event_type: 'stop' });
        assert.equal(stops.length, 1);
        const session = (await w.client.session(w.sessionId)).session;
        assert.equal(session.state, 'ended');
      });

      test('agentmonitor import reads the chat log and recognises every call OTLP brought', async () => {
        const r = await agentmonitor(['import', '--gemini-dir', w.geminiDir, '--db', w.monitor.dbPath, '--json'], w.userEnv);
        assert.equal(r.code, 0, describeRun(r));
        const summary = JSON.parse(r.stdout) as ImportSummary;
        assert.equal(summary.files, 1, r.stdout);
        assert.equal(summary.skipped_lines, 0, r.stdout);
        assert.ok(summary.duplicates >= turns().length, `import recognised only ${summary.duplicates} known events: ${r.stdout}`);
      });
    }

    if (watch) {
      test('serve reads the chat log live: the project and both tool calls arrive without an import', async () => {
        // OTLP may have brought the calls first; the chat log adds the project and the tool calls.
        await waitFor('the chat log read live', async () => {
          const s = (await w.client.sessionOrUndefined(w.sessionId))?.session;
          const tools = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
          return s?.project && tools.length >= 2 ? true : undefined;
        });
      });
    }

    test('the session shows with its project and model', () => expectSessionShown(w.session));

    test('tokens equal what the fake API reported, priced as gemini-2.5-pro', () => expectExactTotals());

    test('every tool call is there once, the failing read as an error', async () => {
      const expected = turns().flatMap((r) => r.toolCalls);
      assert.equal(expected.length, 2);
      const events = await waitFor('both tool calls', async () => {
        const evs = await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' });
        return evs.length >= expected.length ? evs : undefined;
      }).catch(() => w.client.events({ session_id: w.sessionId, event_type: 'tool_use' }));
      for (const call of expected) {
        // The CLI names a call `<tool>__<the model's id>` (its turn.ts), in the chat log too.
        const found = events.filter((e) => e.event_id === toolEventId(AGENT, `${call.name}__${call.id}`));
        assert.equal(found.length, 1, `tool call ${call.id}: ${found.length} events among ${events.map((e) => e.event_id).join(', ')}`);
        assert.equal(found[0].tool_name, call.name);
        assert.equal(found[0].status, call.input.file_path === MISSING_FILE ? 'error' : 'success', `status of ${call.id}: ${JSON.stringify(found[0])}`);
      }
      assert.equal(events.length, expected.length, `tool events beyond the calls: ${events.map((e) => `${e.tool_name}/${e.event_id}`).join(', ')}`);
    });

    test('reading the chat log again changes no total', () =>
      expectImportChangesNoTotal(w.client, {
        monitor: w.monitor, userEnv: w.userEnv, dirArgs: ['--gemini-dir', w.geminiDir], files: w.chatFiles, knownCalls: turns().length,
        countTools: async () => (await w.client.events({ session_id: w.sessionId, event_type: 'tool_use' })).length,
        // Read already (by the import above, or live): an unchanged file is skipped.
        watching: true,
      }));

    test('the session page shows the prompt once', () => expectPromptOnce(w.session, PROMPT));

    test('the session page shows the final answer', () => expectFinalAnswer(w.session));

    test('the dashboard shows the session', { skip: chromiumMissing() }, () => expectDashboardShows(w.session, w.monitor.url));
  });
}

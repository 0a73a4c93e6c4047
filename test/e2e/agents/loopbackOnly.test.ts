/**
 * The agents, set up as in the other tests, talk to loopback only: every `connect()`, `sendto()`
 * and `sendmsg()` with an address, of the agent and its children (traced with strace), goes to
 * 127.0.0.1 or ::1, so the suite never reaches for an outside host (telemetry, updates, flags, DNS).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { claudeArgs, claudeEnv, codexArgs, codexEnv, copilotArgs, copilotEnv, findAgentBinaries, findCopilotBinary, findGeminiBinary, findOpencodeBinary, geminiArgs, geminiEnv, makeProject, opencodeArgs, opencodeEnv, runProcess, writeCodexConfig, writeGeminiSettings, writeOpencodeConfig } from './agentProcess';
import { CLAUDE_PROMPT, CODEX_PROMPT, startFakeModelApi, type FakeModelApi } from './fakeModelApi';
import { describeRun } from './monitorProcess';
import { deadPort } from './serverDownScenario';
import { claudeTelemetryEnv, codexOtelToml, geminiTelemetrySettings } from './userSetup';

const STRACE = '/usr/bin/strace';
const bins = findAgentBinaries();
const skip = typeof bins === 'string' ? bins : fs.existsSync(STRACE) ? false : `${STRACE} not installed`;

/** Internet addresses the traced processes tried to connect to, other than loopback. */
function outsideConnects(trace: string): string[] {
  const out: string[] = [];
  for (const line of trace.split('\n')) {
    if (!/^\d+\s+(connect|sendto|sendmsg)\(/.test(line)) continue;
    const v4 = /sin_addr=inet_addr\("([^"]+)"\)/.exec(line);
    const v6 = /inet_pton\(AF_INET6, "([^"]+)"/.exec(line);
    const addr = v4?.[1] ?? v6?.[1];
    if (addr === undefined) continue;
    if (addr.startsWith('127.') || addr === '::1' || addr === '::ffff:127.0.0.1') continue;
    out.push(line.trim());
  }
  return out;
}

describe('the agents talk to loopback only', { skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-e2e-loopback-'));
  let api: FakeModelApi;
  let project: string;
  let home: string;
  let monitorUrl: string;

  before(async () => {
    api = await startFakeModelApi();
    project = await makeProject(path.join(dir, 'proj'));
    home = path.join(dir, 'home');
    fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
    monitorUrl = `http://127.0.0.1:${await deadPort()}`;
  });

  after(async () => {
    await api?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function traced(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const file = path.join(dir, `${name}.strace`);
    const r = await runProcess(STRACE, ['-f', '-qq', '-e', 'trace=connect,sendto,sendmsg', '-o', file, cmd, ...args], { cwd: project, env, timeoutMs: 120_000 });
    assert.equal(r.code, 0, `${name} under strace: ${describeRun(r)}`);
    return fs.readFileSync(file, 'utf8');
  }

  test('Claude Code', async () => {
    const env = claudeEnv({ home, apiUrl: api.url, configDir: path.join(home, '.claude'), env: claudeTelemetryEnv(monitorUrl, 'http/json') });
    const trace = await traced('claude', (bins as { claude: string }).claude, claudeArgs(CLAUDE_PROMPT), env);
    assert.match(trace, new RegExp(`htons\\(${api.port}\\)`), 'the trace shows no connection to the fake API: is strace tracing the agent?');
    assert.deepEqual(outsideConnects(trace), []);
  });

  test('Codex', async () => {
    const codexHome = path.join(home, '.codex');
    writeCodexConfig({ codexHome, apiUrl: api.url, extraToml: codexOtelToml(monitorUrl, 'json') });
    const trace = await traced('codex', (bins as { codex: string }).codex, codexArgs(CODEX_PROMPT), codexEnv({ home, codexHome }));
    assert.match(trace, new RegExp(`htons\\(${api.port}\\)`), 'the trace shows no connection to the fake API: is strace tracing the agent?');
    assert.deepEqual(outsideConnects(trace), []);
  });

  const gemini = findGeminiBinary();
  test('Gemini CLI', { skip: typeof gemini === 'string' ? false : gemini.missing }, async () => {
    writeGeminiSettings(home, geminiTelemetrySettings(monitorUrl));
    const trace = await traced('gemini', gemini as string, geminiArgs(CODEX_PROMPT), geminiEnv({ home, apiUrl: api.url }));
    assert.match(trace, new RegExp(`htons\\(${api.port}\\)`), 'the trace shows no connection to the fake API: is strace tracing the agent?');
    assert.deepEqual(outsideConnects(trace), []);
  });

  const copilot = findCopilotBinary();
  test('Copilot CLI', { skip: typeof copilot === 'string' ? false : copilot.missing }, async () => {
    const trace = await traced('copilot', copilot as string, copilotArgs(CODEX_PROMPT), copilotEnv({ home, apiUrl: api.url }));
    assert.match(trace, new RegExp(`htons\\(${api.port}\\)`), 'the trace shows no connection to the fake API: is strace tracing the agent?');
    assert.deepEqual(outsideConnects(trace), []);
  });

  const opencode = findOpencodeBinary();
  test('OpenCode', { skip: typeof opencode === 'string' ? false : opencode.missing }, async () => {
    writeOpencodeConfig(project, api.url);
    const trace = await traced('opencode', opencode as string, opencodeArgs(CODEX_PROMPT), opencodeEnv({ home, cwd: project }));
    fs.rmSync(path.join(project, 'opencode.json'));
    assert.match(trace, new RegExp(`htons\\(${api.port}\\)`), 'the trace shows no connection to the fake API: is strace tracing the agent?');
    assert.deepEqual(outsideConnects(trace), []);
  });
});

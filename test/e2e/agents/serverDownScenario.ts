/**
 * Homes for the agents with and without AgentMonitor configured, and one scripted run of each agent
 * in such a home. Shared by the server-down test and its benchmark.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { makeProject, runClaude, runCodex, writeCodexConfig, type ClaudeRun, type CodexRun } from './agentProcess';
import { CLAUDE_PROMPT, CODEX_PROMPT, type FakeModelApi } from './fakeModelApi';
import { agentmonitor, describeRun } from './monitorProcess';
import { claudeTelemetryEnv, codexOtelToml } from './userSetup';

export interface HomeSetup {
  home: string;
  configDir: string;
  codexHome: string;
  project: string;
  /** The AgentMonitor port hooks and telemetry point at; null for a home without AgentMonitor. */
  port: number | null;
  hooksInstalled: boolean;
  hooksOutput: string;
}

/** A loopback port nothing listens on (bound once, then released). */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function setUpHome(dir: string, apiUrl: string, port: number | null): Promise<HomeSetup> {
  const home = path.join(dir, 'home');
  const configDir = path.join(home, '.claude');
  const codexHome = path.join(home, '.codex');
  fs.mkdirSync(configDir, { recursive: true });
  const project = await makeProject(path.join(dir, 'proj'));
  const monitorUrl = port === null ? null : `http://127.0.0.1:${port}`;
  writeCodexConfig({ codexHome, apiUrl, extraToml: monitorUrl ? codexOtelToml(monitorUrl, 'json') : undefined });
  const setup: HomeSetup = { home, configDir, codexHome, project, port, hooksInstalled: false, hooksOutput: '' };
  if (port !== null) {
    const env = { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: configDir, CODEX_HOME: codexHome, AGENTMONITOR_PORT: String(port) };
    const r = await agentmonitor(['hooks', 'install', '--agent', 'all'], env);
    setup.hooksInstalled = r.code === 0;
    setup.hooksOutput = describeRun(r);
  }
  return setup;
}

export async function runClaudeScenario(bin: string, s: HomeSetup, api: FakeModelApi): Promise<{ run: ClaudeRun; steps: string[] }> {
  const from = api.claudeReplies.length;
  const env = s.port === null ? {} : claudeTelemetryEnv(`http://127.0.0.1:${s.port}`, 'http/protobuf');
  const run = await runClaude({ bin, home: s.home, configDir: s.configDir, cwd: s.project, apiUrl: api.url, prompt: CLAUDE_PROMPT, env });
  return { run, steps: api.claudeReplies.slice(from).map((r) => r.step) };
}

export async function runCodexScenario(bin: string, s: HomeSetup, api: FakeModelApi): Promise<{ run: CodexRun; steps: string[] }> {
  const from = api.codexReplies.length;
  const run = await runCodex({ bin, home: s.home, codexHome: s.codexHome, cwd: s.project, prompt: CODEX_PROMPT });
  return { run, steps: api.codexReplies.slice(from).map((r) => r.step) };
}

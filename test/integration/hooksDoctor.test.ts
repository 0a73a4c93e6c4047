import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'node:test';
import { runDoctor } from '../../src/core/cli/doctor';
import { runHooks, type CliIo } from '../../src/core/cli/hooks';
import type { DoctorReport } from '../../src/core/hooks/doctorChecks';
import { codexOtelConfig } from '../../src/core/otel/codexConfigSnippet';
import { deadPort } from '../helpers/hookFixtures';
import { startTestServer } from '../helpers/server';
import { tmpDir } from '../helpers/tmp';

function machine() {
  const home = tmpDir();
  const bin = path.join(home, 'bin');
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, 'claude'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  fs.mkdirSync(path.join(home, '.codex'));
  const project = path.join(home, 'proj');
  fs.mkdirSync(project);
  const out: string[] = [];
  const io: CliIo = { env: { HOME: home, PATH: bin }, cwd: project, out: (s) => out.push(s), err: (s) => out.push(s) };
  const doctor = async (...argv: string[]) => {
    out.length = 0;
    const code = await runDoctor(['--json', ...argv], io);
    return { code, report: JSON.parse(out.join('')) as DoctorReport };
  };
  return { home, io, doctor };
}

const check = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id);

test('doctor on a fresh machine: agents found, hooks and server missing, each with its fix', async () => {
  const m = machine();
  const port = await deadPort();
  const { code, report } = await m.doctor('--port', String(port));
  assert.equal(code, 1);
  assert.equal(report.ok, false);
  assert.equal(check(report, 'agents.claude-code')?.status, 'ok');
  assert.match(check(report, 'agents.claude-code')!.message, /bin\/claude/);
  assert.equal(check(report, 'agents.codex')?.status, 'ok', 'a Codex home counts as installed');
  assert.equal(check(report, 'hooks.claude-code.user')?.status, 'missing');
  assert.equal(check(report, 'hooks.claude-code.user')?.fix, `agentmonitor hooks install --agent claude --port ${port}`);
  assert.equal(check(report, 'server')?.status, 'missing');
  assert.match(check(report, 'telemetry.codex')!.fix!, /\[otel\]/);
  assert.equal(check(report, 'statusline.claude-code')?.status, 'missing');
  assert.match(check(report, 'statusline.claude-code')!.message, /no status line .*optional: the plan limits/);
});

test('doctor names Gemini CLI where it is, and says AgentMonitor reads its chat logs', async () => {
  const m = machine();
  const port = await deadPort();
  assert.equal(check((await m.doctor('--port', String(port))).report, 'agents.gemini-cli'), undefined, 'not there: not mentioned');
  fs.mkdirSync(path.join(m.home, '.gemini'));
  const { report } = await m.doctor('--port', String(port));
  assert.equal(check(report, 'agents.gemini-cli')?.status, 'ok');
  assert.match(check(report, 'agents.gemini-cli')!.message, new RegExp(`config in ${m.home}/\\.gemini; AgentMonitor reads its chat logs`));
  // Its hooks, as for Claude Code and Codex: missing with the command that installs them, then in order.
  assert.equal(check(report, 'hooks.gemini-cli.user')?.status, 'missing');
  assert.equal(check(report, 'hooks.gemini-cli.user')?.fix, `agentmonitor hooks install --agent gemini --port ${port}`);
  assert.equal(await runHooks(['install', '--agent', 'gemini', '--port', String(port)], m.io), 0);
  const after = (await m.doctor('--port', String(port))).report;
  assert.equal(check(after, 'hooks.gemini-cli.user')?.status, 'ok', check(after, 'hooks.gemini-cli.user')?.message);
  assert.match(check(after, 'hooks.gemini-cli.user')!.message, new RegExp(`Gemini CLI \\(user\\): 8 AgentMonitor hooks in ${m.home}/\\.gemini/settings\\.json`));
});

test('doctor names Copilot CLI where it is, and says AgentMonitor reads its session logs', async () => {
  const m = machine();
  const port = await deadPort();
  assert.equal(check((await m.doctor('--port', String(port))).report, 'agents.copilot-cli'), undefined, 'not there: not mentioned');
  fs.mkdirSync(path.join(m.home, '.copilot'));
  const { report } = await m.doctor('--port', String(port));
  assert.equal(check(report, 'agents.copilot-cli')?.status, 'ok');
  assert.match(check(report, 'agents.copilot-cli')!.message, new RegExp(`config in ${m.home}/\\.copilot; AgentMonitor reads its session logs`));
});

test('doctor names OpenCode where its data folder is, and says AgentMonitor reads its database', async () => {
  const m = machine();
  const port = await deadPort();
  assert.equal(check((await m.doctor('--port', String(port))).report, 'agents.opencode'), undefined, 'not there: not mentioned');
  fs.mkdirSync(path.join(m.home, '.local', 'share', 'opencode'), { recursive: true });
  const { report } = await m.doctor('--port', String(port));
  assert.equal(check(report, 'agents.opencode')?.status, 'ok');
  assert.match(check(report, 'agents.opencode')!.message, new RegExp(`data in ${m.home}/\\.local/share/opencode; AgentMonitor reads its database`));
});

test('doctor names Copilot Chat where VS Code keeps chat sessions, their tokens approximate', async () => {
  const m = machine();
  const port = await deadPort();
  assert.equal(check((await m.doctor('--port', String(port))).report, 'agents.copilot-chat'), undefined, 'not there: not mentioned');
  fs.mkdirSync(path.join(m.home, '.config', 'Code', 'User', 'workspaceStorage'), { recursive: true });
  const { report } = await m.doctor('--port', String(port));
  assert.match(check(report, 'agents.copilot-chat')!.message, new RegExp(`chat session files in ${m.home}/\\.config/Code/User .*approximate`));
});

test('hooks install --agent copilot says why Copilot CLI gets no hooks and what covers it', async () => {
  const m = machine();
  const out: string[] = [];
  const code = await runHooks(['install', '--agent', 'copilot'], { ...m.io, out: (s) => out.push(s), err: (s) => out.push(s) });
  assert.equal(code, 2);
  assert.match(out.join(''), /Copilot CLI gets no AgentMonitor hooks: its hook input names no tool call or message id/);
  assert.match(out.join(''), /session logs, which AgentMonitor already follows live/);
});

test('doctor after hooks install, Codex [otel] and a running server: all in order', async () => {
  const m = machine();
  const s = await startTestServer();
  assert.equal(await runHooks(['install', '--port', String(s.port)], m.io), 0);
  fs.writeFileSync(path.join(m.home, '.codex/config.toml'), `[features]\nhooks = true\n\n${codexOtelConfig({ port: s.port })}`);
  const settingsFile = path.join(m.home, '.claude/settings.json');
  const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  settings.env = { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${s.port}/api/otel` };
  fs.writeFileSync(settingsFile, JSON.stringify(settings));
  const { code, report } = await m.doctor('--port', String(s.port));
  assert.deepEqual(report.checks.filter((c) => c.status !== 'ok').map((c) => c.id), []);
  assert.equal(code, 0);
  assert.match(check(report, 'server')!.message, /AgentMonitor .* answers/);
  assert.equal(check(report, 'statusline.claude-code')!.message, `Claude Code's status line is "agentmonitor statusline" (port ${s.port})`);

  const { report: other } = await m.doctor('--port', String(s.port + 1));
  assert.equal(check(other, 'hooks.claude-code.user')?.status, 'warn');
  assert.match(check(other, 'hooks.claude-code.user')!.message, new RegExp(`port ${s.port} but the server is configured for ${s.port + 1}`));
  assert.equal(check(other, 'statusline.claude-code')?.status, 'warn');
  assert.match(check(other, 'statusline.claude-code')!.message, new RegExp(`posts to port ${s.port} but the server is configured for ${s.port + 1}`));
  const moved = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  moved.statusLine.command = `/usr/bin/node '/gone/agent monitor/dist/cli.js' statusline --port ${s.port}`;
  fs.writeFileSync(settingsFile, JSON.stringify(moved));
  const { report: gone } = await m.doctor('--port', String(s.port));
  assert.match(check(gone, 'statusline.claude-code')!.message, /runs \/gone\/agent monitor\/dist\/cli\.js, which no longer exists/);

  fs.rmSync(path.join(m.home, '.agentmonitor/hooks/agentmonitor-hook.sh'));
  const { report: noScript } = await m.doctor('--port', String(s.port));
  assert.match(check(noScript, 'hooks.claude-code.user')!.message, /agentmonitor-hook\.sh does not exist/);

  fs.writeFileSync(settingsFile, '{"hooks": {\n');
  const broken = await m.doctor('--port', String(s.port));
  assert.equal(check(broken.report, 'hooks.claude-code.user')?.status, 'error');
  assert.match(check(broken.report, 'hooks.claude-code.user')!.message, /settings\.json:2:1: invalid JSON/);
  assert.equal(broken.code, 1);
});

test('doctor names a foreign program on the port', async () => {
  const m = machine();
  const srv = net.createServer((sock) => sock.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}'));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  try {
    const { report } = await m.doctor('--port', String(port));
    assert.equal(check(report, 'server')?.status, 'error');
    assert.match(check(report, 'server')!.message, /something other than AgentMonitor/);
  } finally {
    srv.close();
  }
});

test('an older Claude Code gets only the events it knows, as command hooks; doctor flags events it would reject', async () => {
  const m = machine();
  fs.writeFileSync(path.join(m.home, 'bin/claude'), '#!/bin/sh\necho "2.0.14 (Claude Code)"\n', { mode: 0o755 });
  const s = await startTestServer();
  const out: string[] = [];
  const io = { ...m.io, out: (t: string) => out.push(t) };
  assert.equal(await runHooks(['install', '--agent', 'claude', '--port', String(s.port)], io), 0);
  assert.match(out.join(''), /older than 2\.1\.197/);
  const settingsFile = path.join(m.home, '.claude/settings.json');
  const hooks = JSON.parse(fs.readFileSync(settingsFile, 'utf8')).hooks as Record<string, { hooks: { type: string }[] }[]>;
  assert.deepEqual(Object.keys(hooks).sort(), ['Notification', 'PostToolUse', 'PreCompact', 'PreToolUse', 'SessionEnd', 'SessionStart', 'Stop', 'SubagentStop', 'UserPromptSubmit']);
  assert.ok(Object.values(hooks).every((groups) => groups.every((g) => g.hooks.every((h) => h.type === 'command'))));
  const { report } = await m.doctor('--port', String(s.port));
  assert.equal(check(report, 'hooks.claude-code.user')?.status, 'ok');
  assert.match(check(report, 'agents.claude-code')!.message, /2\.0\.14/);

  assert.equal(await runHooks(['install', '--agent', 'claude', '--port', String(s.port), '--claude-version', '2.1.197'], io), 0);
  const after = await m.doctor('--port', String(s.port));
  assert.equal(check(after.report, 'hooks.claude-code.user')?.status, 'error');
  assert.match(check(after.report, 'hooks.claude-code.user')!.message, /does not know the hook events .*PostToolBatch/);
});

test('doctor warns when Claude Code hooks are installed in both scopes', async () => {
  const m = machine();
  const port = await deadPort();
  assert.equal(await runHooks(['install', '--agent', 'claude', '--port', String(port)], m.io), 0);
  const once = await m.doctor('--port', String(port));
  assert.equal(check(once.report, 'hooks.claude-code.twice'), undefined);
  assert.equal(await runHooks(['install', '--agent', 'claude', '--scope', 'project', '--port', String(port)], m.io), 0);
  const twice = await m.doctor('--port', String(port));
  assert.equal(check(twice.report, 'hooks.claude-code.twice')?.status, 'warn');
});

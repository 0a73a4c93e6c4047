/**
 * "Focus Terminal" (issue 18): which terminal runs a session's agent, decided on the real process
 * table. Two shells stand for two terminals in the same folder; under one runs a process named
 * `claude` (a copy of sleep) in that folder. The terminal is found by ancestry, not by folder; a
 * session elsewhere finds none (or the terminal in its folder, as a guess); the waiting
 * notification offers "Focus Terminal" only where a terminal runs the agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Session } from '../../src/core/contracts/api';
import { findAgentTerminals, isAgentProcess, readProcesses, type TerminalInfo } from '../../src/extension/model/agentTerminal';
import { FOCUS_TERMINAL, SHOW_SESSION, WaitingNotice } from '../../src/extension/model/waiting';
import { waitFor } from '../helpers/hookFixtures';
import { tmpDir } from '../helpers/tmp';

const linux = fs.existsSync('/proc/self/stat') ? false : 'reads working directories from /proc (Linux)';

test('the terminal whose shell runs the agent in the session’s folder is found by process ancestry', { skip: linux }, async (t) => {
  const dir = tmpDir();
  const proj = path.join(dir, 'proj');
  const other = path.join(dir, 'other');
  fs.mkdirSync(proj);
  fs.mkdirSync(other);
  fs.mkdirSync(path.join(dir, 'bin'));
  const claude = path.join(dir, 'bin', 'claude');
  fs.copyFileSync('/bin/sleep', claude);
  fs.chmodSync(claude, 0o755);
  const started: ChildProcess[] = [];
  const shell = (cwd: string, script: string, ...args: string[]) => {
    const c = spawn('/bin/sh', ['-c', script, ...args], { cwd, stdio: 'ignore' });
    started.push(c);
    return c;
  };
  t.after(() => {
    // The shells' children (the claude copy, sleeps) by their pids, then the shells.
    const shells = new Set(started.map((c) => c.pid));
    for (const p of readProcesses()) if (shells.has(p.ppid)) process.kill(p.pid, 'SIGKILL');
    for (const c of started) if (c.exitCode === null) c.kill('SIGKILL');
  });
  // `; true` keeps each shell alive as the parent, as a terminal's shell is.
  const a = shell(proj, '"$0" 60; true', claude);
  const b = shell(proj, 'sleep 60; true');
  const c = shell(other, 'sleep 60; true');
  await waitFor('the agent process under shell A', async () => readProcesses().some((p) => p.name === 'claude' && p.ppid === a.pid));

  const terms: TerminalInfo<string>[] = [
    { terminal: 'B', name: 'bash (B)', pid: b.pid!, cwd: proj },
    { terminal: 'A', name: 'bash (A)', pid: a.pid!, cwd: proj },
    { terminal: 'C', name: 'bash (C)', pid: c.pid!, cwd: other },
  ];
  const procs = readProcesses();
  const found = findAgentTerminals({ agent_type: 'claude-code', project: proj }, terms, procs);
  assert.deepEqual([found.how, found.terminals.map((x) => x.terminal)], ['process', ['A']]);
  // Codex runs nowhere: the terminals in its folder are a guess, and said to be one.
  const codex = findAgentTerminals({ agent_type: 'codex', project: proj }, terms, procs);
  assert.deepEqual([codex.how, codex.terminals.map((x) => x.terminal)], ['folder', ['B', 'A']]);
  // A Claude session in another folder: the claude process works in proj, so only C's folder matches.
  const elsewhere = findAgentTerminals({ agent_type: 'claude-code', project: other }, terms, procs);
  assert.deepEqual([elsewhere.how, elsewhere.terminals.map((x) => x.terminal)], ['folder', ['C']]);
  assert.deepEqual(findAgentTerminals({ agent_type: 'claude-code', project: path.join(dir, 'none') }, terms, procs), { how: 'none', terminals: [] });
});

test('agent processes: the binary by name, or node running the package; not look-alikes', () => {
  const p = (name: string, args: string) => ({ pid: 2, ppid: 1, name, args, cwd: null });
  assert.ok(isAgentProcess(p('claude', '/home/u/.local/bin/claude --model opus'), 'claude-code'));
  assert.ok(isAgentProcess(p('node', 'node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js'), 'claude-code'));
  assert.ok(isAgentProcess(p('node', 'node /usr/local/bin/codex exec hi'), 'codex'));
  assert.ok(isAgentProcess(p('codex', 'codex'), 'codex'));
  assert.ok(!isAgentProcess(p('node', 'node /x/claudette.js'), 'claude-code'));
  assert.ok(!isAgentProcess(p('claude', 'claude'), 'codex'));
  assert.ok(!isAgentProcess(p('claude', 'claude'), 'gemini-cli'));
  // Every agent whose identity names its CLI (src/core/agents/), not only Claude Code and Codex.
  assert.ok(isAgentProcess(p('node', 'node /usr/lib/node_modules/@google/gemini-cli/dist/index.js'), 'gemini-cli'));
  assert.ok(isAgentProcess(p('gemini', 'gemini -p hi'), 'gemini-cli'));
  assert.ok(isAgentProcess(p('copilot', 'copilot'), 'copilot-cli'));
  assert.ok(isAgentProcess(p('opencode', 'opencode run hi'), 'opencode'));
  assert.ok(!isAgentProcess(p('code', 'code'), 'copilot-chat'));
});

test('the waiting notification offers Focus Terminal only where a terminal runs the agent', async () => {
  const s = { session_id: 's1', agent_type: 'claude-code', project: '/p', state: 'waiting_permission', waiting_message: 'Bash: ls' } as Session;
  const offered: string[][] = [];
  const focused: string[] = [];
  const notice = (runs: boolean) =>
    new WaitingNotice(
      {
        show: (_m, actions) => (offered.push(actions), Promise.resolve(actions[0])),
        showSession: () => {},
        runsInTerminal: async () => runs,
        focusTerminal: (x) => focused.push(x.session_id),
      },
      () => ({ notifyWaitingPermission: true, notifyWaitingInput: true }),
    );
  await notice(true).started(s);
  await notice(false).started(s);
  assert.deepEqual(offered, [[FOCUS_TERMINAL, SHOW_SESSION], [SHOW_SESSION]]);
  assert.deepEqual(focused, ['s1']);
});

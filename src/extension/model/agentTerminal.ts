/**
 * Which integrated terminal runs a session's agent ("Focus Terminal", issue 18). Pure apart from
 * reading the process table. A terminal matches when an agent process (Claude Code: `claude`;
 * Codex: `codex`) working in the session's folder descends from the terminal's shell; failing
 * that, a terminal whose shell is in that folder is offered as a guess, and said to be one.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_IDENTITIES } from '../../core/agents/identities';
import type { AgentIdentity } from '../../core/agents/identity';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** The executable's name (`comm`). */
  name: string;
  /** The command line, arguments joined by spaces (bounded). */
  args: string;
  /** Its working directory, where the system tells (Linux: /proc); null elsewhere. */
  cwd: string | null;
}

export interface TerminalInfo<T> {
  terminal: T;
  name: string;
  /** The terminal's shell process id, when VS Code knows it. */
  pid: number | null;
  /** The shell's working directory as VS Code knows it (shell integration, else creation options). */
  cwd: string | null;
}

export interface TerminalMatch<T> {
  /** `process`: an agent process in the session's folder runs under the terminal; `folder`: only the terminal's folder matches. */
  how: 'process' | 'folder' | 'none';
  terminals: TerminalInfo<T>[];
}

const ARGS_MAX = 2000;
const MAX_PROCESSES = 20_000;

/** The process table: /proc on Linux, `ps` elsewhere (no working directories there). */
export function readProcesses(procDir = '/proc'): ProcInfo[] {
  if (fs.existsSync(path.join(procDir, 'self', 'stat'))) return readProc(procDir);
  try {
    const out = execFileSync('ps', ['-A', '-o', 'pid=', '-o', 'ppid=', '-o', 'comm=', '-o', 'args='], { encoding: 'utf8', timeout: 3000, maxBuffer: 16 * 1024 * 1024 });
    const list: ProcInfo[] = [];
    for (const line of out.split('\n')) {
      const m = /^\s*(\d+)\s+(\d+)\s+(\S+)\s*(.*)$/.exec(line);
      if (m) list.push({ pid: Number(m[1]), ppid: Number(m[2]), name: path.basename(m[3]), args: m[4].slice(0, ARGS_MAX), cwd: null });
    }
    return list;
  } catch {
    return [];
  }
}

function readProc(procDir: string): ProcInfo[] {
  const list: ProcInfo[] = [];
  for (const entry of fs.readdirSync(procDir)) {
    if (!/^\d+$/.test(entry) || list.length >= MAX_PROCESSES) continue;
    try {
      const stat = fs.readFileSync(path.join(procDir, entry, 'stat'), 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split at the last ')'.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      let args = '';
      try {
        args = fs.readFileSync(path.join(procDir, entry, 'cmdline'), 'utf8').slice(0, ARGS_MAX).replace(/\0+$/, '').replace(/\0/g, ' ');
      } catch {
        // gone, or not ours to read
      }
      let cwd: string | null = null;
      try {
        cwd = fs.readlinkSync(path.join(procDir, entry, 'cwd'));
      } catch {
        // another user's process
      }
      list.push({ pid: Number(entry), ppid, name, args, cwd });
    } catch {
      // the process ended while we read
    }
  }
  return list;
}

/** Whether a process is the agent's CLI (its executable, or a node script named for it). */
export function isAgentProcess(p: ProcInfo, agentType: string): boolean {
  const proc = (AGENT_IDENTITIES as readonly AgentIdentity[]).find((a) => a.agentType === agentType)?.process;
  if (!proc) return false;
  if (proc.bins.includes(p.name)) return true;
  const argv0 = path.basename(p.args.split(' ')[0] ?? '');
  if (proc.bins.includes(argv0)) return true;
  // `node …/bin/claude` or `node …/@anthropic-ai/claude-code/cli.js`, `node …/@openai/codex/bin/codex.js`.
  return /^(node|nodejs|bun)$/.test(p.name) && new RegExp(`[/\\\\](${proc.scripts.join('|')})([/\\\\.\\s]|$)`).test(p.args);
}

function descendsFrom(pid: number, ancestor: number, parent: Map<number, number>): boolean {
  let cur = pid;
  for (let i = 0; i < 64 && cur > 1; i++) {
    if (cur === ancestor) return true;
    const next = parent.get(cur);
    if (next === undefined || next === cur) return false;
    cur = next;
  }
  return false;
}

const samePath = (a: string, b: string) => path.resolve(a) === path.resolve(b);

/** The terminals running the session's agent (see the module's comment for the order of evidence). */
export function findAgentTerminals<T>(session: { agent_type: string; project: string | null }, terminals: TerminalInfo<T>[], procs: ProcInfo[]): TerminalMatch<T> {
  const parent = new Map(procs.map((p) => [p.pid, p.ppid]));
  const agents = procs.filter((p) => isAgentProcess(p, session.agent_type) && (!session.project || p.cwd === null || samePath(p.cwd, session.project)));
  const byProcess = terminals.filter((t) => t.pid !== null && agents.some((a) => a.pid !== t.pid && descendsFrom(a.pid, t.pid!, parent)));
  if (byProcess.length) return { how: 'process', terminals: byProcess };
  const byFolder = session.project ? terminals.filter((t) => t.cwd !== null && samePath(t.cwd, session.project!)) : [];
  if (byFolder.length) return { how: 'folder', terminals: byFolder };
  return { how: 'none', terminals: [] };
}

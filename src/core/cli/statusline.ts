/**
 * `agentmonitor statusline [--port N] [--chain B64]`: Claude Code's `statusLine` command (set up by
 * `agentmonitor hooks install`). Reads the status-line JSON on stdin, posts it to the running
 * server (`POST /api/statusline/claude-code`) and prints a short line from the JSON itself
 * (`Sonnet 4.5 · ctx 45% · 5h 42% · 7d 12%`), also when the server is down or slow: Claude Code
 * waits for this command (and kills it after 5 s), so every step is bounded. With `--chain`, the
 * user's own status-line command (base64url) runs on the same input and its output and exit code
 * are ours, unchanged.
 */
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { loadConfig } from '../config';
import { validateStatusLine, type ClaudeStatusLine } from '../contracts/statusLine';
import { chainedCommand, statusLineText } from '../hooks/statusLine';
import { parseArgs, UsageError } from './args';

const HELP = `Usage: agentmonitor statusline [--port PORT]

Claude Code's status-line command ("agentmonitor hooks install" sets it up in settings.json):
reads the JSON Claude Code writes on stdin, sends its plan limits (5-hour and 7-day windows) and
context to the AgentMonitor server, and prints a short status line. Never waits more than about a
second for the server; prints the line also when the server is not running.

Options:
  --port PORT     the AgentMonitor server's port (default 3142, env AGENTMONITOR_PORT)
  --chain CMD64   run this status-line command (base64url) on the same input and print its output
                  instead (hooks install puts a command you had here, and uninstall gives it back)
`;

const STDIN_MAX = 1024 * 1024;
const STDIN_WAIT_MS = 1000;
const POST_TIMEOUT_MS = 800;
const CHAIN_TIMEOUT_MS = 4500;
const CHAIN_OUTPUT_MAX = 64 * 1024;

export interface StatusLineIo {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  out(s: string): void;
  err(s: string): void;
}

function readInput(stdin: StatusLineIo['stdin']): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      clearTimeout(timer);
      stdin.removeListener('data', onData);
      stdin.removeListener('end', done);
      stdin.removeListener('error', done);
      stdin.pause();
      resolve(Buffer.concat(chunks));
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      if (size + b.length > STDIN_MAX) return done();
      chunks.push(b);
      size += b.length;
    };
    const timer = setTimeout(done, STDIN_WAIT_MS);
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', done);
  });
}

/** Posts the reading; true when the server took it (2xx) within the timeout. */
function post(env: NodeJS.ProcessEnv, port: number, body: Buffer): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => {
    const host = env.AGENTMONITOR_HOST && env.AGENTMONITOR_HOST !== '0.0.0.0' ? env.AGENTMONITOR_HOST : '127.0.0.1';
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': body.length };
    if (env.AGENTMONITOR_TOKEN) headers.authorization = `Bearer ${env.AGENTMONITOR_TOKEN}`;
    const req = http.request({ host, port, path: '/api/statusline/claude-code', method: 'POST', headers, timeout: POST_TIMEOUT_MS, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (text.length < 2000) text += c;
      });
      res.on('end', () => {
        const ok = (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;
        resolve(ok ? { ok } : { ok, error: `HTTP ${res.statusCode}: ${text.slice(0, 300)}` });
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${POST_TIMEOUT_MS} ms`)), POST_TIMEOUT_MS);
    req.on('timeout', () => req.destroy(new Error(`no answer within ${POST_TIMEOUT_MS} ms`)));
    req.on('error', (e) => resolve({ ok: false, error: e.message }));
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

/** Runs the user's own status-line command on the same input: its stdout and exit code. */
function runChained(command: string, input: Buffer, env: NodeJS.ProcessEnv): Promise<{ stdout: string; code: number }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), CHAIN_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      if (stdout.length < CHAIN_OUTPUT_MAX) stdout += c;
    });
    child.stdin.on('error', () => {}); // a command that does not read its input
    child.stdin.end(input);
    child.on('error', () => {
      clearTimeout(timer);
      resolve({ stdout: '', code: 127 });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code: code ?? 1 });
    });
  });
}

export async function runStatusLine(argv: string[], io: StatusLineIo): Promise<number> {
  let port: number;
  let chain: string | null = null;
  try {
    const args = parseArgs(argv, { port: { type: 'number' }, chain: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
    if (args.values.help) {
      io.out(HELP);
      return 0;
    }
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    port = args.values.port !== undefined ? Number(args.values.port) : loadConfig(io.env).port;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be 1-65535, got ${port}`);
    if (args.values.chain !== undefined) chain = chainedCommand(` --chain ${String(args.values.chain)}`);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && /AGENTMONITOR_PORT/.test(e.message))) {
      io.err(`agentmonitor statusline: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (io.stdin.isTTY) {
    io.err('agentmonitor statusline: reads the JSON Claude Code writes to its status-line command on stdin; see --help\n');
    return 2;
  }
  const input = await readInput(io.stdin);
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const v = validateStatusLine(parsed);
  const [sent, chained] = await Promise.all([
    v.ok ? post(io.env, port, input) : Promise.resolve({ ok: false, error: v.errors.map((e) => `${e.field}: ${e.message}`).join('; ') }),
    chain ? runChained(chain, input, io.env) : Promise.resolve(null),
  ]);
  // Claude Code logs a status-line command's stderr in its debug output only.
  if (!sent.ok) io.err(`agentmonitor statusline: not sent (${sent.error ?? 'unknown'})\n`);
  if (chained) {
    io.out(chained.stdout);
    return chained.code;
  }
  io.out(`${v.ok ? statusLineText(v.value as ClaudeStatusLine, sent.ok) : 'AgentMonitor: no status-line input'}\n`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  return runStatusLine(argv, {
    env: process.env,
    stdin: process.stdin,
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
}

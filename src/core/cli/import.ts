/**
 * `agentmonitor import [--<agent>-dir DIR]… [--cwd DIR]… [--db PATH] [--json]`: incremental import
 * of every registered agent's logs (`--claude-dir`, `--codex-dir`, `--gemini-dir`, `--copilot-dir`,
 * `--opencode-dir`, `--copilot-chat-dir`: one option per agent with log folders, from its identity,
 * `src/core/agents/`). One writer (DESIGN §3): when a
 * live server owns the database, the import runs inside it (`POST /api/import`, progress over SSE);
 * otherwise this process opens the database itself. Progress goes to stderr, the summary to stdout.
 * The server reads only its own agent log folders for API clients; this command sends the key from
 * the server's lock file (readable by the server's user only), so the folders it names are read too.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { folderAgents, requestedDirs, type AgentDirs } from '../agents/folders';
import { AGENT_IDENTITIES } from '../agents/identities';
import type { AgentIdentity } from '../agents/identity';
import type { ImportProgress, ImportRequest, ImportSummary } from '../contracts/api';
import type { SseMessage } from '../contracts/sse';
import { loadConfig } from '../config';
import { runImport } from '../importers/importRunner';
import { stderrLogger } from '../log';
import { openCore } from '../runtime';
import { LOCK_KEY_HEADER } from '../server/importAccess';
import { probeOwner } from '../server/lockFile';
import { parseArgs, UsageError, type OptionSpec, type ParsedArgs } from './args';

const BULK_SNAPSHOT_INTERVAL_S = 600;

/** `a, b and c`. */
function listed(items: readonly string[], sep = ', '): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(sep)} and ${items[items.length - 1]}`;
}

function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}

const option = (flag: string, text: string) => `  ${flag.padEnd(24)}${text}\n`;

/** The help, from the registered agents (one `--<agent>-dir` option each). */
export function importHelp(agents: readonly AgentIdentity[] = AGENT_IDENTITIES): string {
  const folders = folderAgents(agents).map((a) => a.folders);
  return (
    'Usage: agentmonitor import [options]\n\n' +
    wrap(
      `Imports ${listed(folders.map((f) => f.logs))} (incremental: a re-run reads only what was appended). ` +
        `Without a --<agent>-dir option, imports every agent's logs from their default places ` +
        `(${folders.map((f) => f.defaultsText).join('; ')}). Finding no transcript at all, it names the folders it looked in.`,
    ) +
    '\n' +
    `When a server owns the database the import runs inside it; any folder works when this command
runs as the server's user (it proves that with the key in the server's lock file) or sends the
server's AGENTMONITOR_TOKEN.

Options:
` +
    folders.map((f) => option(`--${f.option} DIR`, `${f.holds} (repeatable)`)).join('') +
    option('--cwd DIR', 'only sessions whose working directory is inside DIR (repeatable)') +
    option('--db PATH', 'database file (default ~/.agentmonitor/agentmonitor.db, env AGENTMONITOR_DB_PATH)') +
    option('--json', 'print the summary as JSON') +
    option('--quiet', 'no progress on stderr')
  );
}

export interface LiveServer {
  url: string;
  headers: Record<string, string>;
}

/**
 * The live server that owns the database, proved by its health check (AgentMonitor, the lock's
 * pid); null when none does. Throws when a live owner can be neither proved nor disproved: writing
 * beside it could lose data. Requests carry the lock's key (this user can read the 0600 lock), which
 * lets the server import folders outside its own log folders.
 */
export async function findLiveServer(dbPath: string, env: NodeJS.ProcessEnv = process.env): Promise<LiveServer | null> {
  const token = env.AGENTMONITOR_TOKEN || null;
  const owner = await probeOwner(dbPath, token);
  if (owner.kind === 'unverified') {
    throw new Error(`database ${dbPath} is owned by pid ${owner.lock.pid}, which could not be checked (${owner.reason}); try again, or stop that server`);
  }
  if (owner.kind !== 'server') return null;
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (owner.lock.key) headers[LOCK_KEY_HEADER] = owner.lock.key;
  return { url: owner.url, headers };
}

function progressLine(p: ImportProgress): string {
  const mb = (n: number) => (n / 1048576).toFixed(1);
  return `importing: ${p.files_done}/${p.files_total} files, ${mb(p.bytes_done)}/${mb(p.bytes_total)} MB, ${p.events} events`;
}

export function formatSummary(s: ImportSummary, maxListed = 20): string {
  const lines = [
    `Imported ${s.events} events from ${s.files} files (${s.files_skipped_unchanged} unchanged) in ${(s.duration_ms / 1000).toFixed(1)} s; ` +
      `${s.duplicates} already stored; ${s.lines} lines read, ${s.skipped_lines} skipped${s.cancelled ? ' (cancelled)' : ''}`,
  ];
  for (const k of s.skipped.slice(0, maxListed)) lines.push(`  ${k.file}:${k.line}: ${k.reason}`);
  if (s.skipped_lines > Math.min(maxListed, s.skipped.length)) lines.push(`  … and ${s.skipped_lines - Math.min(maxListed, s.skipped.length)} more skipped lines`);
  return lines.join('\n') + '\n';
}

/**
 * What an import that found no log file at all adds to its summary: the folders it looked in (a
 * missing one said so) and how to name others. Null when it found files (new or unchanged).
 */
export function nothingFoundText(s: ImportSummary, req: ImportRequest, agents: readonly AgentIdentity[] = AGENT_IDENTITIES): string | null {
  if (s.files || s.files_skipped_unchanged || s.cancelled) return null;
  const folders = (dirs: string[] | undefined) => (dirs ?? []).map((d) => `    ${d}${fs.existsSync(d) ? '' : ' (no such folder)'}\n`).join('');
  const cwd = req.cwd_filter?.length ? ` of sessions inside ${req.cwd_filter.join(', ')} (--cwd)` : '';
  let text = `No transcripts${cwd} found. Looked in:\n`;
  const lists = req as Record<string, string[] | undefined>;
  const withFolders = folderAgents(agents);
  for (const a of withFolders) {
    const dirs = lists[a.folders.request];
    if (dirs?.length) text += `  ${a.name} (${a.folders.lookedIn}):\n${folders(dirs)}`;
  }
  const options = listed(withFolders.map((a) => `--${a.folders.option} DIR`));
  const envs = [...new Set(withFolders.map((a) => a.folders.env))].join(', ');
  return `${text}Name other folders with ${options} (or set ${envs}).\n`;
}

/** Read SSE messages from a streaming response until `stop` returns true. */
async function readSse(body: ReadableStream<Uint8Array>, onMessage: (m: SseMessage) => boolean): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the server closed the event stream before the import finished');
    buf += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      try {
        if (onMessage(JSON.parse(data) as SseMessage)) {
          await reader.cancel().catch(() => {});
          return;
        }
      } catch (e) {
        if (e instanceof SyntaxError) continue;
        throw e;
      }
    }
  }
}

/** Run an import inside the live server and follow it over SSE. */
export async function importViaServer(server: LiveServer, req: ImportRequest, onProgress: (p: ImportProgress) => void): Promise<ImportSummary> {
  const ctrl = new AbortController();
  const stream = await fetch(`${server.url}/api/stream`, { headers: { ...server.headers, accept: 'text/event-stream' }, signal: ctrl.signal });
  if (!stream.ok || !stream.body) throw new Error(`the server's event stream answered ${stream.status}`);
  try {
    const r = await fetch(`${server.url}/api/import`, { method: 'POST', headers: { ...server.headers, 'content-type': 'application/json' }, body: JSON.stringify(req) });
    const body = (await r.json()) as { import_id?: string; error?: string };
    if (r.status !== 202 || !body.import_id) throw new Error(`the server refused the import (${r.status}): ${body.error ?? 'no reason given'}`);
    const id = body.import_id;
    let summary: ImportSummary | null = null;
    let failure: string | null = null;
    await readSse(stream.body, (m) => {
      if (m.type === 'import_progress' && m.progress.import_id === id) {
        if (m.progress.phase === 'error') {
          failure = m.progress.message ?? 'import failed';
          return true;
        }
        onProgress(m.progress);
      } else if (m.type === 'import_done' && m.summary.import_id === id) {
        summary = m.summary;
        return true;
      }
      return false;
    });
    if (failure) throw new Error(failure);
    return summary!;
  } finally {
    ctrl.abort();
  }
}

/** One repeatable `--<agent>-dir` option per agent with log folders. */
export function folderOptions(agents: readonly AgentIdentity[] = AGENT_IDENTITIES): Record<string, OptionSpec> {
  return Object.fromEntries(folderAgents(agents).map((a) => [a.folders.option, { type: 'string', multiple: true }]));
}

/**
 * The request the parsed options make: every agent's field, in the registry's order, holding the
 * folders named (absolute: a running server resolves paths against its own working directory),
 * or, when no agent's were named, its defaults from `config`.
 */
export function importRequestOf(values: ParsedArgs['values'], config: AgentDirs, agents: readonly AgentIdentity[] = AGENT_IDENTITIES): ImportRequest {
  const absolute = (dirs: unknown) => (dirs as string[] | undefined)?.map((d) => path.resolve(d));
  const named = folderAgents(agents).map((a) => ({ a, dirs: absolute(values[a.folders.option]) }));
  const all = named.every((n) => !n.dirs);
  const defaults = config as Record<string, string[] | undefined>;
  return {
    ...Object.fromEntries(named.map(({ a, dirs }) => [a.folders.request, dirs ?? (all ? (defaults[a.folders.config] ?? []) : [])])),
    cwd_filter: values.cwd as string[] | undefined,
  } as ImportRequest;
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, {
      ...folderOptions(),
      cwd: { type: 'string', multiple: true },
      db: { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    });
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`agentmonitor import: ${e.message}\n\n${importHelp()}`);
      return 2;
    }
    throw e;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(importHelp());
    return 0;
  }
  const config = loadConfig(process.env, v.db !== undefined ? { dbPath: String(v.db) } : {});
  const req = importRequestOf(v, config);
  const tty = process.stderr.isTTY;
  let lastShown = 0;
  const onProgress = (p: ImportProgress) => {
    if (v.quiet) return;
    const now = Date.now();
    if (!tty && now - lastShown < 2000 && p.phase === 'importing') return;
    lastShown = now;
    process.stderr.write(tty ? `\r${progressLine(p)}\x1b[K` : `${progressLine(p)}\n`);
  };
  let summary: ImportSummary;
  try {
    const server = await findLiveServer(config.dbPath);
    if (server) {
      if (!v.quiet) process.stderr.write(`importing through the running server at ${server.url}\n`);
      summary = await importViaServer(server, req, onProgress);
    } else {
      // A bulk import is re-readable from the logs: snapshot once at the end, not every few seconds
      // (each snapshot copies the whole database in memory).
      const core = await openCore({ config: { ...config, snapshotIntervalS: Math.max(config.snapshotIntervalS, BULK_SNAPSHOT_INTERVAL_S) }, log: stderrLogger('agentmonitor import') });
      try {
        summary = await runImport(
          { store: core.store, ingest: core.ingest, persist: () => core.store.snapshot() },
          { importId: randomUUID(), ...requestedDirs(req, {}), cwdFilter: req.cwd_filter, onProgress },
        );
      } finally {
        await core.close();
      }
    }
  } catch (e) {
    if (tty && !v.quiet) process.stderr.write('\n');
    process.stderr.write(`agentmonitor import: ${(e as Error).message}\n`);
    return 1;
  }
  if (tty && !v.quiet) process.stderr.write('\n');
  process.stdout.write(v.json ? JSON.stringify(summary) + '\n' : formatSummary(summary) + (nothingFoundText(summary, req) ?? ''));
  return 0;
}

/**
 * Live mode: while `serve` runs, the agents' log folders (`LOG_SOURCES`) are watched (chokidar) and
 * appended lines become events at once, through the normal ingest path (so they are broadcast over
 * SSE). Each file keeps its parser in memory between passes; a response whose content-block lines
 * may still be coming is held until the file has been quiet for `HOLD_MS`. On start, files changed
 * in the last `catchUpHours` are caught up from their stored offsets; older history is what
 * `agentmonitor import` is for. A folder that does not exist yet (an agent installed, or first run,
 * after the server started: Gemini CLI creates `~/.gemini` then) is looked for every
 * `missingRootCheckMs` and watched from when it appears, its files read from the start.
 * An agent whose sessions are in a SQLite database (`LogSource.database`: OpenCode) is polled
 * instead: every `databasePollMs` its folder's database files are listed and, when a file's or its
 * WAL's size or mtime moved, read from the stored watermark; a pass that took T waits 10 T before
 * the next (a large database never takes more than a tenth of a core).
 *
 * A hook may name its session's transcript (`transcript_path`, `agent_transcript_path`) outside
 * those folders: `followTranscript` tails that one file (only a file shaped and named as that
 * session's transcript: `…/projects/<dir>/<session>.jsonl`, its subagents'
 * `…/<session>/subagents/agent-<id>.jsonl`, a Codex `rollout-…-<session>.jsonl`), at most
 * `MAX_FOLLOWED` of them, so a user whose transcripts live elsewhere still gets the conversation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { IngestSink } from '../ingest/types';
import type { Logger } from '../log';
import type { StoreClient } from '../store/storeClient';
import type { ImportStateRow } from '../contracts/importWorker';
import { ClaudeSessionIndex } from './claudeCode';
import { discoverLogs } from './discover';
import { drainValidated, tailFile } from './fileTail';
import { dirsByKind, LOG_KINDS, LOG_SOURCES } from './logSources';
import type { AgentDirs } from '../agents/folders';
import { sqliteSignature } from './sqliteCopy';
import type { LogKind, LogParser } from './types';

export const HOLD_MS = 400;
const DEBOUNCE_MS = 40;
const MAX_OPEN_FILES = 500;
/** A database pass that took T is followed by the next no sooner than DB_BACKOFF × T later. */
const DB_BACKOFF = 10;
/** Transcripts named by hooks that are followed at most (outside the watched folders). */
export const MAX_FOLLOWED = 64;

/**
 * The kind of log a hook's `transcript_path` is, when it is shaped and named as session
 * `sessionId`'s transcript (or one of its subagents'; each source's `hookTranscript`); otherwise null.
 */
export function hookTranscriptKind(sessionId: string, p: string): LogKind | null {
  if (!path.isAbsolute(p) || p.includes('\0') || !sessionId || sessionId.includes('/') || sessionId.includes('\\')) return null;
  return LOG_KINDS.find((kind) => LOG_SOURCES[kind].hookTranscript?.(sessionId, p)) ?? null;
}

/** The folders of each agent to watch (`claudeDirs`, `geminiDirs`, …; one left out is not watched). */
export interface LogWatcherOptions extends AgentDirs {
  log: Logger;
  /** Catch up files modified this recently at start (default 48 h; 0 = none). */
  catchUpHours?: number;
  /** How often folders that did not exist are looked for again (default 30 s). */
  missingRootCheckMs?: number;
  /** How often agents' databases are checked for changes (default 2 s). */
  databasePollMs?: number;
}

interface Tracked {
  kind: LogKind;
  state: ImportStateRow | null;
  parser: LogParser | null;
  timer: NodeJS.Timeout | null;
  holdTimer: NodeJS.Timeout | null;
  lines: number;
  /** Database sources: when the next pass may start (`DB_BACKOFF`). */
  notBefore?: number;
}

export function startLogWatcher(
  core: { store: StoreClient; ingest: IngestSink },
  opts: LogWatcherOptions,
): { close(): Promise<void>; ready: Promise<void>; followTranscript(sessionId: string, transcriptPath: string): void } {
  const { log } = opts;
  const files = new Map<string, Tracked>();
  const index = new ClaudeSessionIndex();
  let queue: Promise<void> = Promise.resolve();
  let closed = false;

  const dirs = dirsByKind(opts);
  const roots: { dir: string; kind: LogKind }[] = LOG_KINDS.flatMap((kind) =>
    (dirs[kind] ?? []).flatMap((d) => {
      const subs = LOG_SOURCES[kind].subdirs.map((s) => path.join(d, s)).filter((s) => fs.existsSync(s));
      return (subs.length ? subs : [d]).map((dir) => ({ dir, kind }));
    }),
  );
  /** Hook-named transcripts outside the roots, oldest first: real path → kind and its watcher. */
  const followed = new Map<string, { kind: LogKind; watcher: FSWatcher }>();
  /** Paths hooks named, as named (checked once). */
  const named = new Set<string>();
  const kindOf = (p: string): LogKind | null => {
    const f = followed.get(p);
    if (f) return f.kind;
    for (const r of roots) if ((p === r.dir || p.startsWith(r.dir + path.sep)) && LOG_SOURCES[r.kind].accepts(p)) return r.kind;
    return null;
  };

  const ingest = async (events: Parameters<IngestSink['ingest']>[0]) => {
    if (events.length) await core.ingest.ingest(events, { source: 'import', waitForStore: true });
  };

  const tracked = async (p: string, kind: LogKind): Promise<Tracked> => {
    let t = files.get(p);
    if (!t) {
      if (files.size >= MAX_OPEN_FILES) {
        for (const [k, v] of files) {
          if (v.timer || v.holdTimer) continue;
          files.delete(k);
          if (files.size < MAX_OPEN_FILES) break;
        }
      }
      t = { kind, state: await core.store.query('getImportState', { path: p }), parser: null, timer: null, holdTimer: null, lines: 0 };
      files.set(p, t);
    }
    return t;
  };

  const pass = async (p: string, kind: LogKind): Promise<void> => {
    if (closed || !LOG_SOURCES[kind].accepts(p)) return;
    const t = await tracked(p, kind);
    const began = Date.now();
    try {
      const res = await tailFile(p, kind, t.state, { final: false, parser: t.parser ?? undefined, index, onEvents: ingest });
      if (res.unchanged) return;
      t.parser = res.parser;
      t.state = res.state;
      t.lines += res.lines;
      for (const s of res.skipped) log.debug(`watch: ${p}:${s.line}: ${s.reason}`);
      await core.store.query('setImportState', { rows: [res.state] });
      if (LOG_SOURCES[kind].database) {
        t.notBefore = Date.now() + DB_BACKOFF * (Date.now() - began);
        return;
      }
      if (t.holdTimer) clearTimeout(t.holdTimer);
      t.holdTimer = setTimeout(() => {
        t.holdTimer = null;
        enqueue(() => settle(p, kind, t));
      }, HOLD_MS);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`watch: ${p}: ${(e as Error).message}`);
    }
  };

  /**
   * The file has been quiet for `HOLD_MS`: read what it gained meanwhile, else release what the
   * parser holds. chokidar drops a file's `change` within 50 ms of the previous one (and one that
   * leaves the mtime where it was), so the last append of a burst may never be reported.
   */
  const settle = async (p: string, kind: LogKind, t: Tracked): Promise<void> => {
    let grew = false;
    try {
      const st = await fs.promises.stat(p);
      grew = !!t.state && (st.size !== t.state.size || Math.floor(st.mtimeMs) !== t.state.mtime_ms);
    } catch {
      /* gone: release what is held */
    }
    if (grew) await pass(p, kind);
    else await release(t);
  };

  const release = async (t: Tracked): Promise<void> => {
    if (!t.parser) return;
    const events = drainValidated(t.parser, true, t.lines, []);
    await ingest(events).catch((e: Error) => log.warn(`watch: ${e.message}`));
  };

  const enqueue = (fn: () => Promise<void>) => {
    queue = queue.then(fn, fn).catch(() => {});
    return queue;
  };

  const schedule = (p: string) => {
    const kind = kindOf(p);
    if (!kind || closed) return;
    const t = files.get(p);
    if (t?.timer) return;
    const timer = setTimeout(() => {
      const cur = files.get(p);
      if (cur) cur.timer = null;
      void enqueue(() => pass(p, kind));
    }, DEBOUNCE_MS);
    if (t) t.timer = timer;
    else void tracked(p, kind).then((n) => (n.timer = timer));
  };

  const watchers: FSWatcher[] = [];

  const follow = async (sessionId: string, given: string, kind: LogKind): Promise<void> => {
    let real: string;
    try {
      real = await fs.promises.realpath(given);
      if (!(await fs.promises.stat(real)).isFile() || !LOG_SOURCES[kind].accepts(real)) return;
    } catch {
      named.delete(given); // not there yet: a later hook may name it again
      return;
    }
    await ready;
    if (closed) return;
    // Inside a watched folder: the watcher reads it already.
    if (kindOf(real)) {
      schedule(real);
      return;
    }
    if (followed.size >= MAX_FOLLOWED) {
      // The transcript followed longest stops being followed (a later hook of its session names it again).
      const [oldest, f] = followed.entries().next().value!;
      followed.delete(oldest);
      named.clear();
      await f.watcher.close();
    }
    const watcher = watch(real, { ignoreInitial: true });
    watcher.on('change', schedule).on('error', (e) => log.warn(`watch ${real}: ${(e as Error).message}`));
    followed.set(real, { kind, watcher });
    log.info(`following ${real}, named by a hook of session ${sessionId}`);
    schedule(real);
  };
  const missing: { dir: string; kind: LogKind }[] = [];
  let missingTimer: NodeJS.Timeout | null = null;

  /** Watches a root; one that appeared after the start reports its files as new (read from the start). */
  const watchRoot = async (r: { dir: string; kind: LogKind }, atStart: boolean): Promise<void> => {
    const w = watch(r.dir, {
      ignoreInitial: atStart,
      depth: LOG_SOURCES[r.kind].maxDepth ?? 6,
      ignored: (p: string, st?: fs.Stats) => !!st?.isFile() && !LOG_SOURCES[r.kind].accepts(p),
    });
    w.on('add', schedule).on('change', schedule).on('error', (e) => log.warn(`watch ${r.dir}: ${(e as Error).message}`));
    watchers.push(w);
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  };

  /** Database sources' folders, polled (`databasePollMs`) instead of watched. */
  const polled: { dir: string; kind: LogKind }[] = [];
  let pollTimer: NodeJS.Timeout | null = null;
  let polling = false;
  const poll = async (): Promise<void> => {
    if (polling || closed) return;
    polling = true;
    try {
      for (const r of polled) {
        let names: string[];
        try {
          names = await fs.promises.readdir(r.dir);
        } catch {
          continue; // not there (yet)
        }
        for (const name of names) {
          const p = path.join(r.dir, name);
          if (!LOG_SOURCES[r.kind].accepts(p)) continue;
          const t = files.get(p);
          if (t && ((t.notBefore ?? 0) > Date.now() || t.timer)) continue;
          let sig;
          try {
            sig = sqliteSignature(p);
          } catch {
            continue;
          }
          if (t?.state && t.state.size === sig.size && t.state.mtime_ms === Math.floor(sig.mtimeMs)) continue;
          await enqueue(() => pass(p, r.kind));
        }
      }
    } finally {
      polling = false;
    }
  };

  let looking = false;
  const lookForMissing = async (): Promise<void> => {
    if (looking || closed) return;
    looking = true;
    try {
      for (const r of [...missing]) {
        // A kind's folder may appear with or without its log subfolder: watch what is there.
        const sub = LOG_SOURCES[r.kind].subdirs.map((s) => path.join(r.dir, s)).find((s) => fs.existsSync(s));
        const dir = sub ?? (fs.existsSync(r.dir) ? r.dir : null);
        if (!dir || closed) continue;
        missing.splice(missing.indexOf(r), 1);
        const root = { dir, kind: r.kind };
        roots.push(root);
        await watchRoot(root, false);
        log.info(`watching ${dir} (appeared after the start)`);
      }
      if (!missing.length && missingTimer) clearInterval(missingTimer);
    } finally {
      looking = false;
    }
  };

  const ready = (async () => {
    const catchUpMs = (opts.catchUpHours ?? 48) * 3_600_000;
    if (catchUpMs > 0) {
      const cutoff = Date.now() - catchUpMs;
      const found = await discoverLogs(opts);
      for (const f of found) {
        try {
          if (fs.statSync(f.path).mtimeMs >= cutoff) await enqueue(() => pass(f.path, f.kind));
        } catch {
          /* vanished */
        }
      }
    }
    for (const r of roots) {
      if (closed) break;
      if (LOG_SOURCES[r.kind].database) {
        polled.push(r);
        continue;
      }
      if (!fs.existsSync(r.dir)) {
        missing.push(r);
        continue;
      }
      await watchRoot(r, true);
    }
    // One folder may be the root of several kinds (OpenCode's database and its JSON messages): named once.
    log.info(`watching ${[...new Set(roots.filter((r) => !missing.includes(r)).map((r) => r.dir))].join(', ') || 'no log folders'}`);
    if (polled.length && !closed) {
      pollTimer = setInterval(() => void poll(), opts.databasePollMs ?? 2000);
      pollTimer.unref();
    }
    if (missing.length && !closed) {
      missingTimer = setInterval(() => void lookForMissing(), opts.missingRootCheckMs ?? 30_000);
      missingTimer.unref();
    }
  })().catch((e: Error) => log.warn(`log watcher: ${e.message}`));

  return {
    ready,
    followTranscript(sessionId: string, transcriptPath: string) {
      if (closed || named.has(transcriptPath)) return;
      const kind = hookTranscriptKind(sessionId, transcriptPath);
      if (!kind) return;
      if (named.size >= MAX_FOLLOWED * 4) named.clear();
      named.add(transcriptPath);
      void follow(sessionId, transcriptPath, kind).catch((e: Error) => log.warn(`watch: ${transcriptPath}: ${e.message}`));
    },
    async close() {
      closed = true;
      if (missingTimer) clearInterval(missingTimer);
      if (pollTimer) clearInterval(pollTimer);
      await ready;
      await Promise.all([...watchers, ...[...followed.values()].map((f) => f.watcher)].map((w) => w.close()));
      for (const t of files.values()) {
        if (t.timer) clearTimeout(t.timer);
        if (t.holdTimer) clearTimeout(t.holdTimer);
        t.timer = null;
        if (t.holdTimer || t.parser) await enqueue(() => release(t));
        t.holdTimer = null;
      }
      await queue;
    },
  };
}

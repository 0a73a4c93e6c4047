/**
 * Runs the AgentMonitor server as a child process of the editor (its own Node via
 * `process.execPath` + ELECTRON_RUN_AS_NODE), or follows one that already answers on the port.
 * Restarts with backoff after crashes, gives up after a crash storm, stops it with SIGTERM so it
 * flushes its journal and snapshot. No `vscode`: tested by forking the real dist/cli.js.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { loadConfig } from '../../core/config';
import { CONVERSION_MAX_MS, CONVERTING_NOTICE } from '../../core/contracts/storeWorker';
import { lockUrl, probeOwner, type LockInfo } from '../../core/server/lockFile';
import { Disposable, Emitter, toDisposable } from '../lifecycle';
import { probeHealth } from '../api/healthProbe';
import { CrashTracker, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import type { ServerState } from './serverState';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface SupervisorOptions {
  /** Path of the server entry (`dist/cli.js`). */
  cliPath: string;
  /** Node to run it with; the editor's own `process.execPath`. */
  execPath: string;
  /** Environment of the next start (settings mapped to AGENTMONITOR_*). */
  env: () => NodeJS.ProcessEnv;
  /** `http://host:port` of the next start. */
  baseUrl: () => string;
  port: () => number;
  log: (level: LogLevel, line: string) => void;
  policy?: BackoffPolicy;
  /** How long a start may take before it counts as failed. */
  startTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  now?: () => number;
}

const LOG_LINE = /^\S+ \[(info|warn|error|debug)\] /;

/** Starts that find the database held by another server, one after another, before it counts as a crash. */
const MAX_LOST_RACES = 5;

export class ServerSupervisor extends Disposable {
  private readonly stateEmitter = this._register(new Emitter<ServerState>());
  readonly onDidChangeState = this.stateEmitter.event;

  private current: ServerState = { kind: 'stopped' };
  private child: ChildProcess | null = null;
  private childStartedAt: number | null = null;
  private stopping = new WeakSet<ChildProcess>();
  private retryTimer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly crashes: CrashTracker;
  private readonly recentOutput: string[] = [];
  /** Children that said they convert their database (`CONVERTING_NOTICE`). */
  private readonly converting = new Set<ChildProcess>();

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.crashes = new CrashTracker(opts.policy ?? DEFAULT_BACKOFF);
    this._register(toDisposable(() => this.clearRetry()));
  }

  get state(): ServerState {
    return this.current;
  }

  /** Pid of the child this window runs, if any. */
  get childPid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts or follows a server; a no-op when already connected. */
  start(): Promise<ServerState> {
    return this.serialize(() => this.doStart(false));
  }

  /**
   * Called when the connection to the server was lost (SSE disconnect): if the owner went away,
   * take the port over; if another window already did, follow it.
   */
  ensure(): Promise<ServerState> {
    return this.serialize(() => this.doStart(true));
  }

  /** Stops this window's child (if any) and starts again; clears a failed state. */
  restart(): Promise<ServerState> {
    return this.serialize(async () => {
      this.crashes.reset();
      await this.doStop();
      return this.doStart(false);
    });
  }

  stop(): Promise<void> {
    return this.serialize(() => this.doStop());
  }

  override dispose(): void {
    const child = this.child;
    if (child && child.exitCode === null) {
      this.stopping.add(child);
      if (process.platform === 'win32' && child.connected) child.disconnect();
      else child.kill('SIGTERM');
    }
    super.dispose();
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private setState(s: ServerState): ServerState {
    this.current = s;
    if (!this.isDisposed) this.stateEmitter.fire(s);
    return s;
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private async doStart(recheck: boolean): Promise<ServerState> {
    if (this.isDisposed) return this.current;
    this.clearRetry();
    const url = this.opts.baseUrl();
    if (this.current.kind === 'owner' && this.child && this.child.exitCode === null && this.current.url === url) return this.current;
    if (this.current.kind === 'follower' && !recheck && this.current.url === url) return this.current;
    if (this.child && this.child.exitCode === null) await this.doStop();
    if (this.current.kind !== 'follower') this.setState({ kind: 'starting' });

    const probe = await probeHealth(url);
    if (probe.kind === 'agentmonitor') {
      if (this.current.kind !== 'follower' || this.current.pid !== probe.health.pid) {
        this.opts.log('info', `following the AgentMonitor server already running on ${url} (pid ${probe.health.pid}, version ${probe.health.version})`);
      }
      return this.setState({ kind: 'follower', url, pid: probe.health.pid });
    }
    if (probe.kind === 'foreign') return this.setState(this.foreign(url, probe.detail));
    return this.spawn(url);
  }

  private foreign(url: string, detail: string): ServerState {
    const port = this.opts.port();
    const message = `Port ${port} is used by another program (not AgentMonitor): ${detail}. Change the "agentMonitor.port" setting to a free port.`;
    this.opts.log('error', `${url}: ${message}`);
    return { kind: 'foreign', port, message };
  }

  private async spawn(url: string, lostRaces = 0): Promise<ServerState> {
    this.setState({ kind: 'starting' });
    this.recentOutput.length = 0;
    this.opts.log('info', `starting the server: ${this.opts.execPath} ${this.opts.cliPath} serve (${url})`);
    let child: ChildProcess;
    try {
      child = fork(this.opts.cliPath, ['serve'], {
        execPath: this.opts.execPath,
        env: this.opts.env(),
        cwd: path.dirname(this.opts.cliPath),
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        execArgv: [],
      });
    } catch (err) {
      return this.setState({ kind: 'failed', message: `could not start the server: ${(err as Error).message}` });
    }
    this.child = child;
    this.childStartedAt = null;
    this.pipeOutput(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    child.once('error', (err) => this.opts.log('error', `server process error: ${err.message}`));

    const outcome = await this.waitHealthy(url, child, exited);
    if (outcome.kind === 'healthy') {
      this.childStartedAt = (this.opts.now ?? Date.now)();
      void exited.then((e) => this.onChildExit(child, e.code, e.signal));
      this.opts.log('info', `server ready on ${url} (pid ${child.pid})`);
      return this.setState({ kind: 'owner', url, pid: child.pid! });
    }
    if (outcome.kind === 'other-owner') {
      this.opts.log('info', `another AgentMonitor (pid ${outcome.pid}) took the port first; following it`);
      await this.killChild(child);
      return this.setState({ kind: 'follower', url, pid: outcome.pid });
    }
    if (outcome.kind === 'timeout') {
      this.opts.log('error', `the server did not answer /api/health within ${this.opts.startTimeoutMs ?? 60000} ms`);
      await this.killChild(child);
    }
    if (this.child === child) this.child = null;
    // It exited (or hung) before becoming healthy: maybe the port got taken meanwhile.
    const probe = await probeHealth(url);
    if (probe.kind === 'agentmonitor') return this.setState({ kind: 'follower', url, pid: probe.health.pid });
    if (probe.kind === 'foreign') return this.setState(this.foreign(url, probe.detail));
    if (outcome.kind === 'exited' && lostRaces < MAX_LOST_RACES) {
      // Another AgentMonitor holds the database (a window that restarted on the same settings
      // change, or the old server still flushing): it refused to start beside it. Not a crash.
      const held = await this.databaseHolder();
      if (held) return this.waitForHolder(url, held, lostRaces);
    }
    const why = outcome.kind === 'exited' ? `exited with ${outcome.signal ?? `code ${outcome.code}`} before it was ready` : 'did not become ready';
    return this.crashed(`the server ${why}`);
  }

  /** The live AgentMonitor that holds (or is opening) this window's database, if any. */
  private async databaseHolder(): Promise<{ dbPath: string; lock: LockInfo } | null> {
    let env: NodeJS.ProcessEnv;
    let dbPath: string;
    try {
      env = this.opts.env();
      dbPath = loadConfig(env).dbPath;
    } catch {
      return null;
    }
    const owner = await probeOwner(dbPath, env.AGENTMONITOR_TOKEN || null);
    return owner.kind === 'server' || owner.kind === 'unverified' ? { dbPath, lock: owner.lock } : null;
  }

  /**
   * Waits for the server that holds the database: follows it once it answers on this window's URL,
   * starts ours once it is gone, and gives up with a message naming it after the start timeout.
   */
  private async waitForHolder(url: string, held: { dbPath: string; lock: LockInfo }, lostRaces: number): Promise<ServerState> {
    const { dbPath } = held;
    this.opts.log('info', `another AgentMonitor (pid ${held.lock.pid}) holds the database ${dbPath}${held.lock.port ? ` (${lockUrl(held.lock)})` : ' and is starting'}; waiting for it`);
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 60_000);
    let delay = 50;
    while (!this.isDisposed) {
      const probe = await probeHealth(url, 1000);
      if (probe.kind === 'agentmonitor') {
        this.opts.log('info', `following the AgentMonitor server on ${url} (pid ${probe.health.pid})`);
        return this.setState({ kind: 'follower', url, pid: probe.health.pid });
      }
      if (probe.kind === 'foreign') return this.setState(this.foreign(url, probe.detail));
      const now = await this.databaseHolder();
      if (!now) return this.spawn(url, lostRaces + 1);
      if (Date.now() >= deadline) {
        const { lock } = now;
        const where = lock.port ? `, ${lockUrl(lock)}` : '';
        const message = `the database ${dbPath} is held by another AgentMonitor (pid ${lock.pid}${where}), which does not answer on ${url}: stop it, or point "agentMonitor.databasePath" or "agentMonitor.port" at it`;
        this.opts.log('error', message);
        return this.setState({ kind: 'failed', message });
      }
      await sleep(delay);
      delay = Math.min(400, delay * 2);
    }
    return this.current;
  }

  private async waitHealthy(
    url: string,
    child: ChildProcess,
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  ): Promise<
    | { kind: 'healthy' }
    | { kind: 'other-owner'; pid: number }
    | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
    | { kind: 'timeout' }
  > {
    const started = Date.now();
    const deadline = started + (this.opts.startTimeoutMs ?? 60_000);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    void exited.then((e) => (exit = e));
    let delay = 50;
    // A server converting its database (it says so on stderr) is waited for longer.
    const waiting = () => Date.now() < deadline || (this.converting.has(child) && Date.now() < started + CONVERSION_MAX_MS);
    while (waiting() && !this.isDisposed) {
      if (exit) return { kind: 'exited', ...(exit as { code: number | null; signal: NodeJS.Signals | null }) };
      const probe = await probeHealth(url, 1000);
      if (probe.kind === 'agentmonitor') {
        if (probe.health.pid === child.pid) return { kind: 'healthy' };
        // Another process owns the port (our child will fail to bind): follow it.
        return { kind: 'other-owner', pid: probe.health.pid };
      }
      await sleep(delay);
      delay = Math.min(400, delay * 2);
    }
    return exit ? { kind: 'exited', ...(exit as { code: number | null; signal: NodeJS.Signals | null }) } : { kind: 'timeout' };
  }

  private onChildExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) this.child = null;
    if (this.stopping.has(child) || this.isDisposed) return;
    this.opts.log('error', `the server (pid ${child.pid}) exited unexpectedly with ${signal ?? `code ${code}`}`);
    this.crashed(`the server exited with ${signal ?? `code ${code}`}`);
  }

  private crashed(reason: string): ServerState {
    const now = (this.opts.now ?? Date.now)();
    const decision = this.crashes.onCrash(now, this.childStartedAt);
    this.childStartedAt = null;
    if (decision.action === 'give-up') {
      const tail = this.recentOutput.slice(-5).join('\n');
      const message = `${reason}; it crashed ${decision.crashes} times in a row, so it is not restarted automatically.${tail ? `\nLast output:\n${tail}` : ''}`;
      this.opts.log('error', message);
      return this.setState({ kind: 'failed', message: `${reason} (${decision.crashes} crashes in a row)` });
    }
    this.opts.log('warn', `${reason}; restarting in ${decision.delayMs} ms (attempt ${decision.attempt})`);
    this.clearRetry();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.serialize(() => this.doStart(true));
    }, decision.delayMs);
    return this.setState({ kind: 'crashed', attempt: decision.attempt, retryInMs: decision.delayMs });
  }

  private async doStop(): Promise<void> {
    this.clearRetry();
    const child = this.child;
    this.child = null;
    if (child) await this.killChild(child);
    if (!this.isDisposed) this.setState({ kind: 'stopped' });
  }

  private async killChild(child: ChildProcess): Promise<void> {
    this.stopping.add(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // The server stops gracefully (flushing its journal and snapshot) on SIGTERM and when its IPC
    // channel closes; Windows has no SIGTERM, so there closing the channel is the request.
    if (process.platform === 'win32' && child.connected) child.disconnect();
    else child.kill('SIGTERM');
    const timeout = this.opts.stopTimeoutMs ?? 8000;
    const done = await Promise.race([exited.then(() => true), sleep(timeout).then(() => false)]);
    if (!done) {
      this.opts.log('warn', `the server (pid ${child.pid}) did not stop within ${timeout} ms after SIGTERM; killing it`);
      child.kill('SIGKILL');
      await exited;
    }
  }

  private pipeOutput(child: ChildProcess): void {
    child.once('exit', () => this.converting.delete(child));
    for (const [stream, dflt] of [
      [child.stdout, 'info'],
      [child.stderr, 'warn'],
    ] as const) {
      if (!stream) continue;
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split(/\r?\n/);
        pending = lines.pop() ?? '';
        if (pending.length > 64 * 1024) pending = pending.slice(-64 * 1024);
        for (const line of lines) {
          if (line.startsWith(CONVERTING_NOTICE)) this.converting.add(child);
          this.forward(line, dflt);
        }
      });
      stream.on('end', () => {
        if (pending) this.forward(pending, dflt);
        pending = '';
      });
    }
  }

  private forward(line: string, dflt: LogLevel): void {
    if (!line.trim()) return;
    this.recentOutput.push(line);
    if (this.recentOutput.length > 50) this.recentOutput.shift();
    const m = LOG_LINE.exec(line);
    this.opts.log(m ? (m[1] as LogLevel) : dflt === 'warn' ? 'info' : dflt, m ? line.slice(m[0].length) : line);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

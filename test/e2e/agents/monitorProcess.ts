/**
 * AgentMonitor as a user runs it: `agentmonitor serve` on a temporary database, and the
 * `agentmonitor hooks install` / `import` commands the README tells users to run.
 */
import * as path from 'node:path';
import { cliCommand, spawnServe, type ServeProcess } from '../../helpers/serveProcess';
import { runProcess, type ProcessResult } from './agentProcess';

const root = path.resolve(__dirname, '..', '..', '..');

export interface Monitor {
  url: string;
  port: number;
  dbPath: string;
  serve: ServeProcess;
  stop(): Promise<void>;
}

/**
 * `agentmonitor serve --port 0 --db <dbPath>`; with `watch`, it follows the agents' logs as it does
 * by default for users (the helper passes --no-watch; a later --watch wins).
 */
export async function startMonitor(dbPath: string, env: NodeJS.ProcessEnv, opts: { watch: boolean }): Promise<Monitor> {
  const serve = await spawnServe(dbPath, opts.watch ? ['--watch'] : [], env);
  const port = Number(new URL(serve.url).port);
  return {
    url: serve.url,
    port,
    dbPath,
    serve,
    stop: async () => {
      if (serve.child.exitCode !== null || serve.child.signalCode !== null) return;
      serve.child.kill('SIGTERM');
      const timer = setTimeout(() => serve.child.kill('SIGKILL'), 15_000);
      await serve.exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `agentmonitor <args>` (the built dist/cli.js) and returns its output. */
export function agentmonitor(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ProcessResult> {
  return runProcess(process.execPath, [...cliCommand(), ...args], { cwd: root, env, timeoutMs });
}

export function describeRun(r: ProcessResult): string {
  return `exit ${r.code ?? r.signal}${r.timedOut ? ' (timed out)' : ''}\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-3000)}`;
}

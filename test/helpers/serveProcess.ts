/**
 * `agentmonitor serve` as a real child process (for kill -9 and restart tests). Uses the built
 * `dist/cli.js` when present, else the TypeScript sources through tsx.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    newest = Math.max(newest, d.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** The built CLI when it is newer than every source file, else the sources through tsx. */
export function cliCommand(): string[] {
  const built = path.join(root, 'dist', 'cli.js');
  const fresh = fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestMtime(path.join(root, 'src'));
  if (fresh && process.env.AGENTMONITOR_TEST_SOURCES !== '1') return [built];
  return ['--import', 'tsx', path.join(root, 'src', 'cli.ts')];
}

export async function spawnServe(dbPath: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...cliCommand(), 'serve', '--port', '0', '--db', dbPath, '--no-watch', ...extraArgs], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start within 120 s:\n${out}`)), 120_000);
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out, exited };
}

/** `agentmonitor <args>` to completion, with its exit code and output. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...cliCommand(), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    // 'close', not 'exit': the output pipes may still hold the last lines when the process exits.
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** SIGTERM (flush and stop); resolves with the exit code. */
export function stopServe(p: ServeProcess): Promise<number | null> {
  p.child.kill('SIGTERM');
  return p.exited;
}

// A node process for a benchmark that prints `listening on http://…` once it serves (an
// `agentmonitor serve` or a baseline server): resolves with its url and a stop function.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** `timeoutMs`: how long it may take to listen (a start that converts a large database takes minutes). */
export function startProcess(args, env = {}, timeoutMs = 60_000) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`did not start within ${timeoutMs} ms: ${out}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({ child, url: m[1], port: Number(new URL(m[1]).port), out: () => out, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); }) });
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
  });
}

/**
 * Shared by the hook tests: the captured agent fixtures, a port nobody listens on, and polling for
 * what a hook route stores after it has already answered.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { FIXTURES_DIR } from './sharedDir';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const FIXTURES = FIXTURES_DIR;
export const CLAUDE_CAPTURE = path.join(FIXTURES, 'captured/claude-json');
export const CODEX_CAPTURE = path.join(FIXTURES, 'captured/codex-json');

/** JSON objects of a .jsonl file (blank lines skipped). */
export function jsonLines(file: string): Record<string, unknown>[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A loopback port that was free a moment ago (nothing listens on it). */
export async function deadPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Poll until `fn` returns something truthy; fails with `what` after a generous deadline. */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Claude Code run interactively in a tmux pane, as a user runs it (tests drive its screen). */
import { spawnSync } from 'node:child_process';
import { waitFor } from './monitorClient';

export const tmuxMissing = spawnSync('tmux', ['-V']).status === 0 ? false : 'tmux is not installed';

/** A tmux server of its own (socket name), so the test never touches the user's sessions. */
export class Pane {
  static count = 0;
  private readonly socket = `am-e2e-${process.pid}-${(Pane.count += 1)}`;
  constructor(private readonly env: NodeJS.ProcessEnv) {}

  tmux(...args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, ...args], { env: this.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  start(cwd: string, command: string[]): void {
    this.tmux('new-session', '-d', '-s', 'agent', '-x', '200', '-y', '50', '-c', cwd, '--', ...command);
  }

  text(): string {
    return this.tmux('capture-pane', '-p', '-t', 'agent');
  }

  /** Waits until the pane shows `what` (Claude Code draws its screen asynchronously). */
  shows(what: string | RegExp, timeoutMs = 30_000): Promise<string> {
    return waitFor(`the pane to show ${String(what)}`, async () => {
      const t = this.text();
      return (typeof what === 'string' ? t.includes(what) : what.test(t)) ? t : undefined;
    }, timeoutMs).catch((e: Error) => {
      throw new Error(`${e.message}\n--- pane ---\n${this.text()}`);
    });
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'agent', ...keys);
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { env: this.env });
  }
}


/**
 * The notification of a server problem that needs the user (`failed`, `foreign`): shown once per
 * problem, and closed as soon as the problem is no longer current (the server runs again, or a
 * restart is under way), so no stale "crashed" message outlives a recovery. No `vscode`: the host
 * shows and closes the notification.
 */
import type { ServerState } from '../server/serverState';

export interface ProblemNotification {
  close(): void;
}

export interface ProblemNoticeHost {
  /** Shows `message`; `onDismissed` is called when the user closes it. */
  show(message: string, onDismissed: () => void): ProblemNotification;
}

export class ServerProblemNotice {
  private open: { message: string; notification: ProblemNotification } | null = null;

  constructor(private readonly host: ProblemNoticeHost) {}

  /** The message shown now, if any (tests). */
  get shown(): string | null {
    return this.open?.message ?? null;
  }

  update(state: ServerState): void {
    const message = state.kind === 'failed' || state.kind === 'foreign' ? state.message : null;
    if (this.open && this.open.message === message) return;
    this.close();
    if (message === null) return;
    const entry: { message: string; notification: ProblemNotification } = { message, notification: { close: () => {} } };
    this.open = entry;
    entry.notification = this.host.show(message, () => {
      if (this.open === entry) this.open = null;
    });
  }

  close(): void {
    const open = this.open;
    this.open = null;
    open?.notification.close();
  }
}

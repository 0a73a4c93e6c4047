/**
 * Agents waiting for the user (issue 18): which sessions wait, what the notification says when one
 * starts waiting, and whether the user muted that kind. Pure (no `vscode`): the host shows the
 * notification and opens the session.
 */
import type { Session, SessionState } from '../../core/contracts/api';
import { agentLabel, projectName, shortId } from './format';

export type WaitingState = Extract<SessionState, 'waiting_permission' | 'waiting_input'>;

export function isWaiting(s: Pick<Session, 'state'>): s is { state: WaitingState } {
  return s.state === 'waiting_permission' || s.state === 'waiting_input';
}

/** Whether `next` begins a wait `prev` (the session as known before the update) was not in. */
export function startsWaiting(prev: Session | undefined, next: Session): boolean {
  if (!isWaiting(next)) return false;
  return !prev || prev.state !== next.state || prev.waiting_since !== next.waiting_since;
}

/** Waiting sessions, longest waiting first. */
export function waitingSessions(sessions: Iterable<Session>): Session[] {
  return [...sessions].filter(isWaiting).sort((a, b) => (a.waiting_since ?? '').localeCompare(b.waiting_since ?? '') || a.session_id.localeCompare(b.session_id));
}

/** `needs permission` / `waiting for input`. */
export function waitingLabel(state: WaitingState): string {
  return state === 'waiting_permission' ? 'needs permission' : 'waiting for input';
}

/** The notification's text: who waits, in which project, and what it asks. */
export function waitingNoticeText(s: Session): string {
  const where = projectName(s.project) || `session ${shortId(s.session_id)}`;
  const head = `${agentLabel(s.agent_type)} in ${where} ${s.state === 'waiting_permission' ? 'needs your permission' : 'is waiting for your input'}`;
  return s.waiting_message ? `${head}: ${s.waiting_message}` : head;
}

export const SHOW_SESSION = 'Show Session';
export const FOCUS_TERMINAL = 'Focus Terminal';

export interface WaitingNoticeHost {
  /** Shows `message` with `actions`; resolves with the action picked, if any. */
  show(message: string, actions: string[]): PromiseLike<string | undefined>;
  /** Opens the session (the "Show Session" action). */
  showSession(sessionId: string): void;
  /** Whether an integrated terminal of this window runs the session's agent ("Focus Terminal" is offered then). */
  runsInTerminal?(s: Session): PromiseLike<boolean>;
  focusTerminal?(s: Session): void;
}

/** Which kinds notify (`agentMonitor.notifyWaitingPermission` / `notifyWaitingInput`). */
export interface WaitingNoticeSettings {
  notifyWaitingPermission: boolean;
  notifyWaitingInput: boolean;
}

export class WaitingNotice {
  constructor(
    private readonly host: WaitingNoticeHost,
    private readonly settings: () => WaitingNoticeSettings,
  ) {}

  /** A session started waiting: notify, unless its kind is muted. Resolves when the user answered. */
  async started(s: Session): Promise<void> {
    if (!isWaiting(s)) return;
    const on = this.settings();
    if (s.state === 'waiting_permission' ? !on.notifyWaitingPermission : !on.notifyWaitingInput) return;
    const inTerminal = this.host.runsInTerminal ? await this.host.runsInTerminal(s) : false;
    const pick = await this.host.show(waitingNoticeText(s), inTerminal ? [FOCUS_TERMINAL, SHOW_SESSION] : [SHOW_SESSION]);
    if (pick === SHOW_SESSION) this.host.showSession(s.session_id);
    else if (pick === FOCUS_TERMINAL) this.host.focusTerminal?.(s);
  }
}

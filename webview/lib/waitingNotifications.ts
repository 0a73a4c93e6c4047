/**
 * Optional browser notifications when an agent starts waiting for the user (issue 18): off until
 * the user turns them on (the Overview's "Notify me" checkbox, kept in localStorage) and the browser
 * grants the permission. Only in the browser dashboard: inside VS Code the extension notifies.
 */
import type { Session } from '../../src/core/contracts/api';
import { WAITING_STATES } from '../../src/core/contracts/api';
import { agentName } from '../../src/core/contracts/agents';

const KEY = 'agentmonitor.notifyWaiting';

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

export function notificationsOn(): boolean {
  try {
    return notificationsSupported() && Notification.permission === 'granted' && localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}

/** Turns them on (asking the browser's permission) or off; resolves with whether they are on. */
export async function setNotifications(on: boolean): Promise<boolean> {
  if (!notificationsSupported()) return false;
  if (on && Notification.permission !== 'granted' && (await Notification.requestPermission()) !== 'granted') on = false;
  try {
    localStorage.setItem(KEY, on ? '1' : '0');
  } catch {
    /* private mode: on for this page only */
  }
  return on && Notification.permission === 'granted';
}

/** Whether `next` begins a wait that `prev` (the session as known before) was not in. */
export function startsWaiting(prev: Session | undefined, next: Session): boolean {
  if (!WAITING_STATES.includes(next.state)) return false;
  return !prev || prev.state !== next.state || prev.waiting_since !== next.waiting_since;
}

/** Shows the notification of a session that started waiting; clicking it opens the session (`hash`, its route). */
export function notifyWaiting(s: Session, hash: string): void {
  if (!notificationsOn()) return;
  const what = s.state === 'waiting_permission' ? 'needs your permission' : 'is waiting for your input';
  const where = s.project ? (s.project.split(/[\\/]/).filter(Boolean).pop() ?? s.project) : s.session_id.slice(0, 8);
  const n = new Notification(`${agentName(s.agent_type)} in ${where} ${what}`, { body: s.waiting_message ?? '', tag: `agentmonitor-${s.session_id}` });
  n.onclick = () => {
    window.focus();
    location.hash = hash;
    n.close();
  };
}

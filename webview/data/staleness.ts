/**
 * Since when the numbers on screen are stale: the time the live connection was lost after it had
 * been up (or the time it was refused before it ever came up), null while connected. The app
 * shell's banner reads it.
 */
import { signal, type ReadonlySignal } from '@preact/signals';
import type { ConnectionState } from './dataSource';

export function trackStaleSince(connection: ReadonlySignal<ConnectionState>, now: () => number = Date.now): { since: ReadonlySignal<number | null>; dispose(): void } {
  const since = signal<number | null>(null);
  let wasUp = false;
  const dispose = connection.subscribe((state) => {
    if (state === 'connected') {
      wasUp = true;
      since.value = null;
    } else if (since.value === null && (wasUp || state === 'disconnected')) {
      since.value = now();
    }
  });
  return { since, dispose };
}

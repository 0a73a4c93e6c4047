import type { StoredEvent } from '../../src/core/contracts/events';
import { FILTER_KEYS, type EventFilter } from '../../src/core/contracts/sse';

export type FeedFilter = Pick<EventFilter, (typeof FILTER_KEYS)[number]>;

/** Same semantics as the server's filters: within a key any value matches, all keys must match. */
export function matchesFilter(e: StoredEvent, f: FeedFilter): boolean {
  for (const key of FILTER_KEYS) {
    const wanted = f[key];
    if (!wanted || wanted.length === 0) continue;
    const v = e[key];
    if (v === null || v === undefined || !wanted.includes(v)) return false;
  }
  return true;
}

export function isEmptyFilter(f: FeedFilter): boolean {
  return FILTER_KEYS.every((k) => !f[k] || f[k]!.length === 0);
}

/**
 * Ordering of the tables whose rows are all loaded (Tools, Costs): by any column, either way.
 * Strings compare as people read them (numbers inside by value, case ignored), missing values come
 * last in both directions, and ties keep the server's order.
 */
import type { SortDir } from '../../src/core/contracts/api';

export interface SortState<K extends string> {
  key: K;
  dir: SortDir;
}

export type SortValue = string | number | null | undefined;

/** The order after an activation of `key`'s header: the other direction of the sorted column, else that column's first direction. */
export function nextSort<K extends string>(cur: SortState<K>, key: K, ascFirst: readonly K[]): SortState<K> {
  if (cur.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: ascFirst.includes(key) ? 'asc' : 'desc' };
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function sortRows<R>(rows: readonly R[], value: (r: R) => SortValue, dir: SortDir): R[] {
  const sign = dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i, v: value(r) }))
    .sort((a, b) => {
      const am = a.v === null || a.v === undefined || a.v === '';
      const bm = b.v === null || b.v === undefined || b.v === '';
      if (am || bm) return am === bm ? a.i - b.i : am ? 1 : -1;
      const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : collator.compare(String(a.v), String(b.v));
      return c !== 0 ? sign * c : a.i - b.i;
    })
    .map((x) => x.r);
}

import { useMemo, useState } from 'preact/hooks';
import { nextSort, sortRows, type SortState, type SortValue } from '../lib/tableSort';

/**
 * Client-side order of a table whose rows are all loaded: `rows` sorted by the chosen column, the
 * state for `SortTh`, and what its activation does. `initial` should be the server's own order.
 */
export function useTableSort<R, K extends string>(
  rows: readonly R[],
  columns: Record<K, (r: R) => SortValue>,
  initial: SortState<K>,
  ascFirst: readonly K[],
): { rows: R[]; sort: SortState<K>; onSort(key: K): void } {
  const [sort, setSort] = useState(initial);
  const sorted = useMemo(() => sortRows(rows, columns[sort.key], sort.dir), [rows, sort]);
  return { rows: sorted, sort, onSort: (key) => setSort((cur) => nextSort(cur, key, ascFirst)) };
}

import type { Totals } from '../../src/core/contracts/api';
import { formatInt, formatTokens } from '../lib/format';
import type { SortState } from '../lib/tableSort';
import { SortTh } from './ui';

export type TokenSortKey = 'tokens_in' | 'tokens_out' | 'cache_read_tokens' | 'cache_write_tokens';

const TOKEN_COLUMNS: [string, TokenSortKey][] = [
  ['Input', 'tokens_in'],
  ['Output', 'tokens_out'],
  ['Cache read', 'cache_read_tokens'],
  ['Cache write', 'cache_write_tokens'],
];

/** The four token columns every usage table shows, in the same order; sortable when given a sort. */
export function TokenHeaderCells<K extends string>(p: { sort?: SortState<K | TokenSortKey>; onSort?(key: K | TokenSortKey): void }) {
  const { sort, onSort } = p;
  return (
    <>
      {TOKEN_COLUMNS.map(([label, key]) =>
        sort && onSort ? (
          <SortTh key={key} label={label} sortKey={key} sort={sort} onSort={onSort} class="num" />
        ) : (
          <th key={key} scope="col" class="num">
            {label}
          </th>
        ),
      )}
    </>
  );
}

export function TokenCells(p: { t: Totals }) {
  const t = p.t;
  return (
    <>
      <td class="num" title={formatInt(t.tokens_in)}>{formatTokens(t.tokens_in)}</td>
      <td class="num" title={formatInt(t.tokens_out)}>{formatTokens(t.tokens_out)}</td>
      <td class="num" title={formatInt(t.cache_read_tokens)}>{formatTokens(t.cache_read_tokens)}</td>
      <td class="num" title={formatInt(t.cache_write_tokens)}>{formatTokens(t.cache_write_tokens)}</td>
    </>
  );
}

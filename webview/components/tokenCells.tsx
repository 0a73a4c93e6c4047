import type { Totals } from '../../src/core/contracts/api';
import { formatInt, formatTokens } from '../lib/format';

/** The four token columns every usage table shows, in the same order. */
export function TokenHeaderCells() {
  return (
    <>
      <th scope="col" class="num">Input</th>
      <th scope="col" class="num">Output</th>
      <th scope="col" class="num">Cache read</th>
      <th scope="col" class="num">Cache write</th>
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

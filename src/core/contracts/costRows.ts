/** Building `CostRow`s (contracts/api.ts) by adding up grouped usage: the local and the team store. */
import type { CostRow } from './api';

export function emptyCostRow(key: string): CostRow {
  return { key, requests: 0, events: 0, sessions: 0, tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0, unpriced_tokens: 0 };
}

export function addToCostRow(t: CostRow, r: Omit<CostRow, 'key' | 'sessions'>): void {
  t.events += r.events;
  t.requests += r.requests;
  t.tokens_in += r.tokens_in;
  t.tokens_out += r.tokens_out;
  t.cache_read_tokens += r.cache_read_tokens;
  t.cache_write_tokens += r.cache_write_tokens;
  t.cost_usd += r.cost_usd;
  t.unpriced_tokens = (t.unpriced_tokens ?? 0) + (r.unpriced_tokens ?? 0);
}

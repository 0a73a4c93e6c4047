/**
 * Cost of one usage record. PLACEHOLDER until the pricing module lands (issue 3): every model is
 * unpriced. Contract: returns `priced: false` and `cost_usd: null` for unknown models, never a
 * guessed price.
 */
export interface UsageTokens {
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** Part of cache_write_tokens written with the 1-hour TTL. */
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
}

export function computeCost(_model: string | null | undefined, _usage: UsageTokens): { cost_usd: number | null; priced: boolean } {
  return { cost_usd: null, priced: false };
}

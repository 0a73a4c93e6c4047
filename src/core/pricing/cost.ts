/**
 * Cost of one usage record from the price tables (`priceTables.ts`). Token semantics follow the
 * event contract: `tokens_in` excludes cache reads (Codex cached input is a subset of input and
 * arrives here already split off), `cache_write_1h_tokens` is the 1-hour part of
 * `cache_write_tokens`. Tiered models bill the tokens of each type past 200k at the above-200k
 * price. Unknown models return `priced: false` and `cost_usd: null`, never a guessed price.
 */
import type { ModelPrice, PriceBook } from './priceBook';

export interface UsageTokens {
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** Part of cache_write_tokens written with the 1-hour TTL. */
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  /** Fast mode (Claude `usage.speed = "fast"`), also implied by a `-fast` model suffix. */
  fast?: boolean;
}

export const TIER_THRESHOLD = 200_000;

function tiered(tokens: number, rate: number, above: number | undefined): number {
  if (tokens <= 0) return 0;
  if (above === undefined || tokens <= TIER_THRESHOLD) return tokens * rate;
  return TIER_THRESHOLD * rate + (tokens - TIER_THRESHOLD) * above;
}

/** USD for the usage at the given price (per million tokens). */
export function costAtPrice(p: ModelPrice, u: UsageTokens): number {
  const t = p.above_200k ?? {};
  const write1h = Math.min(Math.max(u.cache_write_1h_tokens, 0), u.cache_write_tokens);
  const write5m = u.cache_write_tokens - write1h;
  const w5 = p.cache_write_5m ?? p.input;
  const w1 = p.cache_write_1h ?? p.input * 2;
  const read = p.cache_read ?? p.input;
  const micros =
    tiered(u.tokens_in, p.input, t.input) +
    tiered(u.tokens_out, p.output, t.output) +
    tiered(write5m, w5, t.cache_write_5m) +
    tiered(write1h, w1, t.cache_write_1h) +
    tiered(u.cache_read_tokens, read, t.cache_read);
  return micros / 1e6;
}

export function computeCost(
  model: string | null | undefined,
  usage: UsageTokens,
  book: PriceBook,
): { cost_usd: number | null; priced: boolean } {
  const r = book.resolve(model);
  if (!r) return { cost_usd: null, priced: false };
  let cost = costAtPrice(r.price, usage);
  if ((r.fast || usage.fast) && r.price.fast_multiplier) cost *= r.price.fast_multiplier;
  return { cost_usd: cost, priced: true };
}

/**
 * The price book: the bundled price tables (JSON data files in `tables/`, one per family, each with
 * its as-of date), a price update and overrides merged, and a model's price looked up in them.
 * Free of zod, so the store worker (`recalcCosts`) loads no schema library: whatever the book is
 * built from is checked where it enters, on the main thread (`priceTables.ts`: `checkedPriceBook`,
 * `parseOverrides`; `priceUpdate.ts`), and the bundled tables by `test/unit/pricing.test.ts`.
 */
import claudeTable from './tables/claude.json';
import geminiTable from './tables/gemini.json';
import openaiTable from './tables/openai.json';
import { normalizeModelName } from './modelName';

interface Tier {
  input?: number;
  output?: number;
  cache_write_5m?: number;
  cache_write_1h?: number;
  cache_read?: number;
}

/** USD per million tokens (`priceTables.ts` ModelPriceSchema checks one). */
export interface ModelPrice {
  input: number;
  output: number;
  cache_write_5m?: number;
  cache_write_1h?: number;
  cache_read?: number;
  above_200k?: Tier;
  fast_multiplier?: number;
}

export type PriceFamily = 'claude' | 'openai' | 'gemini' | 'override';

export interface ResolvedPrice {
  /** Table key the model resolved to. */
  key: string;
  family: PriceFamily;
  price: ModelPrice;
  fast: boolean;
}

interface TableFile {
  family: string;
  as_of: string;
  models: Record<string, unknown>;
  aliases?: Record<string, string>;
}

export const TABLES: TableFile[] = [claudeTable, openaiTable, geminiTable];

/** As-of dates of the built-in tables, by family. */
export const PRICE_TABLE_DATES: Record<string, string> = Object.fromEntries(TABLES.map((t) => [t.family, t.as_of]));

/** User overrides by model name: the listed fields replace a known model's, or make a new model. */
export type PriceOverrides = Record<string, Partial<ModelPrice>>;

/** Prices from `agentmonitor prices update` (`priceUpdate.ts`), by table key. */
export type UpdatedPrices = Record<string, { family: PriceFamily; price: ModelPrice }>;

/** The table key an override of `model` applies to (a known model's, else its normalized name). */
export function overrideKey(book: PriceBook, model: string): string {
  const name = normalizeModelName(model).name;
  return book.keyOf(name) ?? name;
}

export class PriceBook {
  private readonly prices = new Map<string, { price: ModelPrice; family: PriceFamily }>();
  private readonly aliases = new Map<string, string>();
  private readonly cache = new Map<string, ResolvedPrice | null>();

  /** What the book was built from: another thread builds the same book from them (an import's parse worker). */
  readonly inputs: { overrides: PriceOverrides; updated: UpdatedPrices };

  /**
   * Bundled tables, then the prices of an update (replacing a model's whole price), then overrides.
   * Unchecked: an override that leaves a model without an input or output price must be refused
   * before (`checkedPriceBook`).
   */
  constructor(overrides: PriceOverrides = {}, updated: UpdatedPrices = {}) {
    this.inputs = { overrides, updated };
    for (const t of TABLES) {
      for (const [k, v] of Object.entries(t.models)) this.prices.set(k, { price: v as ModelPrice, family: t.family as PriceFamily });
      for (const [k, v] of Object.entries(t.aliases ?? {})) this.aliases.set(k, v);
    }
    for (const [model, u] of Object.entries(updated)) {
      const key = this.keyOf(model) ?? model;
      this.prices.set(key, { price: u.price, family: this.prices.get(key)?.family ?? u.family });
    }
    for (const [model, o] of Object.entries(overrides)) {
      const key = overrideKey(this, model);
      const base = this.prices.get(key);
      this.prices.set(key, { price: { ...(base?.price ?? {}), ...o } as ModelPrice, family: base?.family ?? 'override' });
    }
  }

  /** The table key of a normalized model name, or null. */
  keyOf(name: string): string | null {
    if (this.prices.has(name)) return name;
    const alias = this.aliases.get(name);
    if (alias && this.prices.has(alias)) return alias;
    const noLatest = name.replace(/-latest$/, '');
    if (noLatest !== name) return this.keyOf(noLatest);
    return null;
  }

  /** The price kept under a table key. */
  priceAt(key: string): ModelPrice | undefined {
    return this.prices.get(key)?.price;
  }

  /** The price of a model, or null when it is unknown. */
  resolve(model: string | null | undefined): ResolvedPrice | null {
    if (!model) return null;
    const hit = this.cache.get(model);
    if (hit !== undefined) return hit;
    const n = normalizeModelName(model);
    const key = this.keyOf(n.name);
    const entry = key ? this.prices.get(key)! : null;
    const out = entry && key ? { key, family: entry.family, price: entry.price, fast: n.fast } : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(model, out);
    return out;
  }
}


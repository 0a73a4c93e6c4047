/**
 * The price tables (JSON data files in `tables/`, one per family, each with its as-of date) and
 * user overrides. Overrides come from `AGENTMONITOR_PRICE_OVERRIDES`: inline JSON or the path of
 * a JSON file, shaped `{ "<model>": { "input": 3, "output": 15, ... } }` (optionally wrapped in
 * `{ "models": { ... } }`), USD per million tokens. An override replaces the listed fields of a
 * known model or adds a new one. Unknown models have no price: they are never guessed.
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import claudeTable from './tables/claude.json';
import geminiTable from './tables/gemini.json';
import openaiTable from './tables/openai.json';
import { normalizeModelName } from './modelName';

const RateSchema = z.number().finite().nonnegative().max(1e5);

const TierSchema = z
  .object({
    input: RateSchema.optional(),
    output: RateSchema.optional(),
    cache_write_5m: RateSchema.optional(),
    cache_write_1h: RateSchema.optional(),
    cache_read: RateSchema.optional(),
  })
  .strict();

export const ModelPriceSchema = z
  .object({
    input: RateSchema,
    output: RateSchema,
    cache_write_5m: RateSchema.optional(),
    cache_write_1h: RateSchema.optional(),
    cache_read: RateSchema.optional(),
    above_200k: TierSchema.optional(),
    fast_multiplier: RateSchema.optional(),
  })
  .strict();

/** USD per million tokens. */
export type ModelPrice = z.infer<typeof ModelPriceSchema>;
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

const TABLES: TableFile[] = [claudeTable, openaiTable, geminiTable];

/** As-of dates of the built-in tables, by family. */
export const PRICE_TABLE_DATES: Record<string, string> = Object.fromEntries(TABLES.map((t) => [t.family, t.as_of]));

const OverridesSchema = z.record(z.string().min(1), ModelPriceSchema.partial().strict());
export type PriceOverrides = z.infer<typeof OverridesSchema>;

/** Prices from `agentmonitor prices update` (`priceUpdate.ts`), by table key. */
export type UpdatedPrices = Record<string, { family: PriceFamily; price: ModelPrice }>;

export class PriceBook {
  private readonly prices = new Map<string, { price: ModelPrice; family: PriceFamily }>();
  private readonly aliases = new Map<string, string>();
  private readonly cache = new Map<string, ResolvedPrice | null>();

  /** What the book was built from: another thread builds the same book from them (an import's parse worker). */
  readonly inputs: { overrides: PriceOverrides; updated: UpdatedPrices };

  /** Bundled tables, then the prices of an update (replacing a model's whole price), then overrides. */
  constructor(overrides: PriceOverrides = {}, updated: UpdatedPrices = {}) {
    this.inputs = { overrides, updated };
    for (const t of TABLES) {
      for (const [k, v] of Object.entries(t.models)) this.prices.set(k, { price: ModelPriceSchema.parse(v), family: t.family as PriceFamily });
      for (const [k, v] of Object.entries(t.aliases ?? {})) this.aliases.set(k, v);
    }
    for (const [model, u] of Object.entries(updated)) {
      const key = this.keyOf(model) ?? model;
      this.prices.set(key, { price: u.price, family: this.prices.get(key)?.family ?? u.family });
    }
    for (const [model, o] of Object.entries(overrides)) {
      const key = this.keyOf(normalizeModelName(model).name) ?? normalizeModelName(model).name;
      const base = this.prices.get(key);
      const merged = { ...(base?.price ?? {}), ...o };
      const ok = ModelPriceSchema.safeParse(merged);
      if (!ok.success) throw new Error(`price override for "${model}": ${ok.error.issues.map((i) => `${i.path.join('.') || 'price'}: ${i.message}`).join('; ')}`);
      this.prices.set(key, { price: ok.data, family: base?.family ?? 'override' });
    }
  }

  private keyOf(name: string): string | null {
    if (this.prices.has(name)) return name;
    const alias = this.aliases.get(name);
    if (alias && this.prices.has(alias)) return alias;
    const noLatest = name.replace(/-latest$/, '');
    if (noLatest !== name) return this.keyOf(noLatest);
    return null;
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

/** Parse overrides given as JSON text or as the path of a JSON file; errors name the source. */
export function parseOverrides(spec: string | undefined): PriceOverrides {
  if (!spec || !spec.trim()) return {};
  const text = spec.trim();
  let raw: unknown;
  let source = 'AGENTMONITOR_PRICE_OVERRIDES';
  try {
    if (text.startsWith('{')) raw = JSON.parse(text);
    else {
      source = text;
      raw = JSON.parse(fs.readFileSync(text, 'utf8'));
    }
  } catch (e) {
    throw new Error(`price overrides (${source}): ${(e as Error).message}`, { cause: e });
  }
  if (raw && typeof raw === 'object' && 'models' in raw) raw = (raw as { models: unknown }).models;
  const parsed = OverridesSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`price overrides (${source}): ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

let current: PriceBook | null = null;
let currentUpdate: UpdatedPrices = {};

/** The process-wide price book: built-in tables, the database's price update, the overrides from the environment. */
export function priceBook(): PriceBook {
  if (!current) {
    try {
      current = new PriceBook(parseOverrides(process.env.AGENTMONITOR_PRICE_OVERRIDES), currentUpdate);
    } catch (e) {
      overridesError = (e as Error).message;
      process.stderr.write(`agentmonitor: ignoring price overrides: ${overridesError}\n`);
      current = new PriceBook({}, currentUpdate);
    }
  }
  return current;
}

/** Use these updated prices from now on (the process-wide book is rebuilt with them). */
export function setPriceUpdate(updated: UpdatedPrices): void {
  currentUpdate = updated;
  current = null;
}

/** The updated prices the process-wide book uses. */
export function priceUpdateInUse(): UpdatedPrices {
  return currentUpdate;
}

let overridesError: string | null = null;

/** Why the overrides from the environment were ignored, if they were. */
export function priceOverridesError(): string | null {
  priceBook();
  return overridesError;
}

/** Replace the process-wide price book (after the overrides changed; before a recalc). */
export function setPriceBook(book: PriceBook): void {
  current = book;
}

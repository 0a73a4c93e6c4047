/**
 * The price tables (JSON data files in `tables/`, one per family, each with its as-of date) and
 * user overrides. Overrides come from `AGENTMONITOR_PRICE_OVERRIDES`: inline JSON or the path of
 * a JSON file, shaped `{ "<model>": { "input": 3, "output": 15, ... } }` (optionally wrapped in
 * `{ "models": { ... } }`), USD per million tokens. An override replaces the listed fields of a
 * known model or adds a new one. Unknown models have no price: they are never guessed.
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { overrideKey, PriceBook, TABLES, type ModelPrice, type PriceFamily, type PriceOverrides, type ResolvedPrice, type UpdatedPrices } from './priceBook';

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

export type { ModelPrice, PriceFamily, PriceOverrides, ResolvedPrice, UpdatedPrices };

const OverridesSchema = z.record(z.string().min(1), ModelPriceSchema.partial().strict());

/** Compiles only while the schema and the book's plain `ModelPrice` say the same. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const PRICE_SCHEMA_MATCHES: Same<ModelPrice, z.infer<typeof ModelPriceSchema>> = true;

let tablesChecked = false;

/**
 * A price book from overrides and a price update, checked as the main thread builds one: the
 * bundled tables once per process, and every overridden model's merged price (an override of an
 * unknown model needs its input and output price). Throws naming the model.
 */
export function checkedPriceBook(overrides: PriceOverrides = {}, updated: UpdatedPrices = {}): PriceBook {
  if (!tablesChecked) {
    for (const t of TABLES) for (const v of Object.values(t.models)) ModelPriceSchema.parse(v);
    tablesChecked = true;
  }
  const book = new PriceBook(overrides, updated);
  for (const model of Object.keys(overrides)) {
    const ok = ModelPriceSchema.safeParse(book.priceAt(overrideKey(book, model)));
    if (!ok.success) throw new Error(`price override for "${model}": ${ok.error.issues.map((i) => `${i.path.join('.') || 'price'}: ${i.message}`).join('; ')}`);
  }
  return book;
}

/** Parse overrides given as JSON text or as the path of a JSON file; errors name the source (`label` for JSON text). */
export function parseOverrides(spec: string | undefined, label = 'AGENTMONITOR_PRICE_OVERRIDES'): PriceOverrides {
  if (!spec || !spec.trim()) return {};
  const text = spec.trim();
  let raw: unknown;
  let source = label;
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
      current = checkedPriceBook(parseOverrides(process.env.AGENTMONITOR_PRICE_OVERRIDES), currentUpdate);
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

/**
 * Price updates from a LiteLLM-format table (`model_prices_and_context_window.json`): the bundled
 * tables in `tables/` stay the offline default; `agentmonitor prices update` (opt-in, never
 * automatic) converts a newer LiteLLM file into our per-model prices and keeps them beside the
 * database (`<db>.prices.json`, with the date it was taken), where the server and `recalc` read them.
 * Precedence: bundled tables < the update < `AGENTMONITOR_PRICE_OVERRIDES`.
 *
 * Converted: chat/responses entries of the direct APIs (`litellm_provider` anthropic, openai,
 * gemini; Bedrock/Vertex/Azure entries carry regional uplifts), USD per token × 1e6. Claude
 * entries keep no above-200k tier (Claude Code bills long requests at the base prices, see
 * `tables/claude.json`), and a 1-hour cache-write price below the 5-minute one is left out (the
 * 2x-input rule applies).
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { normalizeModelName } from './modelName';
import { ModelPriceSchema, type ModelPrice, type PriceFamily } from './priceTables';

/** LiteLLM's public price file: the default source of `prices update`. */
export const LITELLM_PRICES_URL = 'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';

const FAMILY_OF_PROVIDER: Record<string, PriceFamily> = { anthropic: 'claude', openai: 'openai', gemini: 'gemini' };
const MODES = new Set(['chat', 'responses', undefined]);
const M = 1_000_000;

export interface UpdatedPrice {
  family: PriceFamily;
  price: ModelPrice;
}

export interface PriceUpdate {
  /** Where the table came from (URL or file path). */
  source: string;
  /** When it was taken (ISO date-time) and its day (YYYY-MM-DD). */
  fetched_at: string;
  as_of: string;
  models: Record<string, UpdatedPrice>;
}

const PriceUpdateSchema = z
  .object({
    source: z.string(),
    fetched_at: z.string(),
    as_of: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    models: z.record(z.string().min(1), z.object({ family: z.enum(['claude', 'openai', 'gemini', 'override']), price: ModelPriceSchema }).strict()),
  })
  .strict();

/** The update file of a database. */
export function priceUpdatePath(dbPath: string): string {
  return `${dbPath}.prices.json`;
}

const perMillion = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v * M * 1e9) / 1e9 : undefined);

function priceOf(e: Record<string, unknown>, family: PriceFamily): ModelPrice | null {
  const input = perMillion(e.input_cost_per_token);
  const output = perMillion(e.output_cost_per_token);
  if (input === undefined || output === undefined) return null;
  const p: ModelPrice = { input, output };
  const read = perMillion(e.cache_read_input_token_cost);
  const w5 = perMillion(e.cache_creation_input_token_cost);
  const w1 = perMillion(e.cache_creation_input_token_cost_above_1hr);
  if (read !== undefined) p.cache_read = read;
  if (w5 !== undefined) p.cache_write_5m = w5;
  if (w1 !== undefined && (w5 === undefined || w1 >= w5)) p.cache_write_1h = w1;
  if (family !== 'claude') {
    const tier = {
      input: perMillion(e.input_cost_per_token_above_200k_tokens),
      output: perMillion(e.output_cost_per_token_above_200k_tokens),
      cache_read: perMillion(e.cache_read_input_token_cost_above_200k_tokens),
      cache_write_5m: perMillion(e.cache_creation_input_token_cost_above_200k_tokens),
    };
    const set = Object.fromEntries(Object.entries(tier).filter(([, v]) => v !== undefined));
    if (Object.keys(set).length) p.above_200k = set;
  }
  const pse = e.provider_specific_entry;
  const fast = pse && typeof pse === 'object' ? (pse as Record<string, unknown>).fast : undefined;
  if (typeof fast === 'number' && Number.isFinite(fast) && fast > 0) p.fast_multiplier = fast;
  const ok = ModelPriceSchema.safeParse(p);
  return ok.success ? ok.data : null;
}

/**
 * Our prices from a parsed LiteLLM table. Several LiteLLM keys name one model (dated, prefixed):
 * the undated key wins, else the first. Throws, naming what is wrong, when the table is not an
 * object of model entries or prices none of the agents' models.
 */
export function pricesFromLiteLlm(table: unknown): { models: Record<string, UpdatedPrice>; entries: number } {
  if (!table || typeof table !== 'object' || Array.isArray(table)) throw new Error('the price table must be a JSON object of model entries (LiteLLM model_prices_and_context_window.json)');
  const models: Record<string, UpdatedPrice & { exact: boolean }> = {};
  let entries = 0;
  for (const [key, raw] of Object.entries(table as Record<string, unknown>)) {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const e = raw as Record<string, unknown>;
    const family = FAMILY_OF_PROVIDER[String(e.litellm_provider)];
    if (!family || !MODES.has(e.mode as string | undefined)) continue;
    const price = priceOf(e, family);
    if (!price) continue;
    entries++;
    const name = normalizeModelName(key).name;
    if (!name || normalizeModelName(key).fast) continue;
    const exact = key.toLowerCase() === name;
    if (models[name] && (models[name].exact || !exact)) continue;
    models[name] = { family, price, exact };
  }
  const out = Object.fromEntries(Object.entries(models).map(([k, { family, price }]) => [k, { family, price }]));
  if (!Object.keys(out).length) {
    throw new Error('the price table has no chat model of anthropic, openai or gemini with input_cost_per_token and output_cost_per_token');
  }
  return { models: out, entries };
}

/** Write the update beside the database (atomically: a reader sees the old file or the new one). */
export function savePriceUpdate(dbPath: string, update: PriceUpdate): string {
  const file = priceUpdatePath(dbPath);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(update, null, 1)}\n`);
  fs.renameSync(tmp, file);
  return file;
}

/** The stored update of a database, null when there is none; throws naming the file when it is unusable. */
export function loadPriceUpdate(dbPath: string): PriceUpdate | null {
  const file = priceUpdatePath(dbPath);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`price update ${file}: ${(e as Error).message}`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`price update ${file}: ${(e as Error).message}`, { cause: e });
  }
  const parsed = PriceUpdateSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`price update ${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}

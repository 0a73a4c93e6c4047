/**
 * `agentmonitor prices update [--from URL|FILE] [--db PATH] [--json]`: takes a LiteLLM-format price
 * table (default: LiteLLM's public file; only when asked, never automatically), keeps the prices of
 * the agents' models beside the database (`<db>.prices.json`, dated) and re-prices stored usage as
 * `recalc` does. Without an update the bundled tables are used; `prices remove` goes back to them.
 */
import * as fs from 'node:fs';
import { loadConfig } from '../config';
import { LITELLM_PRICES_URL, priceUpdatePath, pricesFromLiteLlm, savePriceUpdate, type PriceUpdate } from '../pricing/priceUpdate';
import type { RecalcResult } from '../store/queries/pricing';
import { parseArgs, UsageError } from './args';
import { recalcStored } from './recalc';

const HELP = `Usage: agentmonitor prices update [--from URL|FILE] [options]
       agentmonitor prices remove [options]

update  reads a LiteLLM-format price table (model_prices_and_context_window.json), keeps the
        prices of Claude, OpenAI and Gemini models beside the database (<db>.prices.json, with
        today's date) and re-prices stored usage. Default source: ${LITELLM_PRICES_URL}
remove  deletes that file (the bundled price tables apply again) and re-prices stored usage.

AGENTMONITOR_PRICE_OVERRIDES still wins over both.

Options:
  --from URL|FILE   where to read the table (http(s) URL or a file path)
  --db PATH         database file (default ~/.agentmonitor/agentmonitor.db, env AGENTMONITOR_DB_PATH)
  --json            print the result as JSON
`;

const MAX_TABLE_BYTES = 64 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 60_000;

async function readTable(from: string): Promise<string> {
  if (/^https?:\/\//i.test(from)) {
    const res = await fetch(from, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`${from} answered ${res.status} ${res.statusText}`);
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > MAX_TABLE_BYTES) throw new Error(`${from} is ${declared} bytes, over the ${MAX_TABLE_BYTES}-byte limit`);
    const text = await res.text();
    if (text.length > MAX_TABLE_BYTES) throw new Error(`${from} is over the ${MAX_TABLE_BYTES}-byte limit`);
    return text;
  }
  const st = fs.statSync(from);
  if (st.size > MAX_TABLE_BYTES) throw new Error(`${from} is ${st.size} bytes, over the ${MAX_TABLE_BYTES}-byte limit`);
  return fs.readFileSync(from, 'utf8');
}

function repricedLine(r: RecalcResult): string {
  return `Re-priced ${r.examined} usage events: ${r.changed} changed, ${r.priced} priced, ${r.unpriced} without a price`;
}

export async function run(argv: string[]): Promise<number> {
  const usage = (msg: string) => {
    process.stderr.write(`agentmonitor prices: ${msg}\n\n${HELP}`);
    return 2;
  };
  let args;
  try {
    args = parseArgs(argv, { from: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  const v = args.values;
  const [action, ...rest] = args.positionals;
  if (v.help || action === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (action !== 'update' && action !== 'remove') return usage(action ? `unknown action "${action}" (update or remove)` : 'say update or remove');
  if (rest.length) return usage(`unexpected argument "${rest[0]}"`);
  if (action === 'remove' && v.from !== undefined) return usage('--from goes with update');
  let config;
  try {
    config = loadConfig(process.env, v.db === undefined ? {} : { dbPath: String(v.db) });
  } catch (e) {
    return usage((e as Error).message);
  }
  const fail = (what: string, e: unknown) => {
    process.stderr.write(`agentmonitor prices ${action}: ${what}: ${(e as Error).message}\n`);
    return 1;
  };

  let update: PriceUpdate | null = null;
  let file = priceUpdatePath(config.dbPath);
  if (action === 'update') {
    const from = v.from === undefined ? LITELLM_PRICES_URL : String(v.from);
    let table: unknown;
    try {
      table = JSON.parse(await readTable(from));
    } catch (e) {
      return fail(`could not read a price table from ${from}`, e);
    }
    let models;
    try {
      ({ models } = pricesFromLiteLlm(table));
    } catch (e) {
      return fail(from, e);
    }
    const now = new Date();
    update = { source: from, fetched_at: now.toISOString(), as_of: now.toISOString().slice(0, 10), models };
    try {
      file = savePriceUpdate(config.dbPath, update);
    } catch (e) {
      return fail(`could not store the update beside ${config.dbPath}`, e);
    }
  } else {
    try {
      fs.rmSync(file, { force: true });
    } catch (e) {
      return fail(`could not remove ${file}`, e);
    }
  }

  let repriced: RecalcResult;
  try {
    repriced = await recalcStored(config, `agentmonitor prices ${action}`);
  } catch (e) {
    return fail('stored usage was not re-priced (run agentmonitor recalc)', e);
  }
  if (v.json) {
    const summary = update
      ? { file, source: update.source, as_of: update.as_of, fetched_at: update.fetched_at, models: Object.keys(update.models).length, repriced }
      : { file, removed: true, repriced };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const head = update
      ? `Stored prices of ${Object.keys(update.models).length} models from ${update.source} (as of ${update.as_of}) in ${file}`
      : `Removed ${file}: the bundled price tables apply`;
    process.stdout.write(`${head}\n${repricedLine(repriced)}\n`);
  }
  return 0;
}

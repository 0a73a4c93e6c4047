/**
 * `agentmonitor recalc [--db PATH] [--json]`: re-prices stored usage with the current price tables,
 * the database's price update (`prices update`) and `AGENTMONITOR_PRICE_OVERRIDES` (agent-reported
 * costs are kept), then rebuilds the rollups.
 * Goes through the live server when one owns the database.
 */
import { loadConfig, type ServerConfig } from '../config';
import { stderrLogger } from '../log';
import { checkedPriceBook, parseOverrides } from '../pricing/priceTables';
import { loadPriceUpdate } from '../pricing/priceUpdate';
import { openCore } from '../runtime';
import type { RecalcResult } from '../store/queries/pricing';
import { parseArgs, UsageError } from './args';
import { findLiveServer } from './import';

const HELP = `Usage: agentmonitor recalc [options]

Re-prices stored usage after the price tables or AGENTMONITOR_PRICE_OVERRIDES changed
(inline JSON or a file path: {"<model>": {"input": 3, "output": 15, ...}}, USD per million tokens).

Options:
  --db PATH   database file (default ~/.agentmonitor/agentmonitor.db, env AGENTMONITOR_DB_PATH)
  --json      print the result as JSON
`;

/**
 * Re-price the database's stored usage: through the live server that owns it (which reads the
 * price update again), else by opening it here.
 */
export async function recalcStored(config: ServerConfig, logName: string): Promise<RecalcResult> {
  const overrides = parseOverrides(process.env.AGENTMONITOR_PRICE_OVERRIDES);
  const server = await findLiveServer(config.dbPath);
  if (server) {
    const r = await fetch(`${server.url}/api/recalc`, {
      method: 'POST',
      headers: { ...server.headers, 'content-type': 'application/json' },
      body: JSON.stringify(process.env.AGENTMONITOR_PRICE_OVERRIDES ? { price_overrides: overrides } : {}),
    });
    const body = (await r.json()) as RecalcResult & { error?: string };
    if (!r.ok) throw new Error(`the server refused (${r.status}): ${body.error ?? ''}`);
    return body;
  }
  const core = await openCore({ config, log: stderrLogger(logName) });
  try {
    const updated = loadPriceUpdate(config.dbPath)?.models ?? {};
    // Checked here: the store worker builds its book from them unchecked.
    checkedPriceBook(overrides, updated);
    return await core.store.query('recalcCosts', { overrides, updated });
  } finally {
    await core.close();
  }
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, { db: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`agentmonitor recalc: ${e.message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
  if (args.values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig(process.env, args.values.db !== undefined ? { dbPath: String(args.values.db) } : {});
  let result: RecalcResult;
  try {
    result = await recalcStored(config, 'agentmonitor recalc');
  } catch (e) {
    process.stderr.write(`agentmonitor recalc: ${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    args.values.json
      ? JSON.stringify(result) + '\n'
      : `Re-priced ${result.examined} usage events: ${result.changed} changed, ${result.priced} priced, ${result.unpriced} without a price\n`,
  );
  return 0;
}

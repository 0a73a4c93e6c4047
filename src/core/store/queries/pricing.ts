/**
 * Re-pricing stored usage (`agentmonitor recalc`, `POST /api/recalc`): every event whose cost was
 * computed from the price table, or that had no price, is priced again with the current tables,
 * the database's price update (`agentmonitor prices update`) and overrides; agent-reported costs are kept. Then the rollups are rebuilt from the events.
 */
import { computeCost } from '../../pricing/cost';
import { PriceBook, type PriceOverrides, type UpdatedPrices } from '../../pricing/priceBook';
import type { SqlDb } from '../sqlDb';
import type { WriteDeclarations } from './writes';
import { queries as aggregates } from './aggregates';

export interface RecalcResult {
  examined: number;
  changed: number;
  priced: number;
  unpriced: number;
  sessions: number;
  hours: number;
}

interface Row {
  id: number;
  model: string | null;
  tokens_in: number;
  tokens_out: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  reasoning_tokens: number;
  cost_usd: number | null;
  cost_source: string;
}

const PAGE = 5000;

export const queries = {
  /** `overrides` and `updated` as checked on the main thread (`checkedPriceBook`): the book here takes them as they are. */
  recalcCosts(db: SqlDb, p: { overrides?: PriceOverrides; updated?: UpdatedPrices } = {}): RecalcResult {
    const book = new PriceBook(p.overrides ?? {}, p.updated ?? {});
    const out: RecalcResult = { examined: 0, changed: 0, priced: 0, unpriced: 0, sessions: 0, hours: 0 };
    db.transaction(() => {
      let after = -1;
      for (;;) {
        const rows = db.all<Row>(
          `SELECT id, model, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens,
                  reasoning_tokens, cost_usd, cost_source
           FROM events WHERE id > ? AND cost_source IN ('computed', 'unpriced') ORDER BY id LIMIT ${PAGE}`,
          [after],
        );
        if (!rows.length) break;
        for (const r of rows) {
          after = r.id;
          out.examined++;
          const c = computeCost(r.model, r, book);
          const source = c.priced && c.cost_usd !== null ? 'computed' : 'unpriced';
          if (source === 'computed') out.priced++;
          else out.unpriced++;
          if (source === r.cost_source && c.cost_usd === r.cost_usd) continue;
          db.run('UPDATE event_rows SET cost_usd = ? WHERE id = ?', [c.cost_usd, r.id]);
          db.dictionary.relabel(r.id, { cost_source: source });
          out.changed++;
        }
      }
    });
    if (out.changed) {
      const agg = aggregates.rebuildAggregates(db, {});
      out.sessions = agg.sessions;
      out.hours = agg.hours;
    }
    return out;
  },
};

/** The tables each writing query changes (`registry.ts`). */
export const writeQueries = { recalcCosts: ['events', 'sessions', 'usage_hourly'] } as const satisfies WriteDeclarations<typeof queries>;

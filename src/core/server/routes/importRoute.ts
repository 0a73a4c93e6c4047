/**
 * `POST /api/import` (body `ImportRequest`): imports log folders into this server's database in
 * the background; folders outside the server's agent log folders are refused 403 (importAccess.ts); answers 202 `{import_id}`, or 409 while another import runs; progress and the
 * summary go out over SSE. `GET /api/import` tells what runs and the last summary;
 * `DELETE /api/import/:id` cancels. `POST /api/recalc` re-prices stored usage, optionally with new
 * price overrides (`{price_overrides: {...}}`), which then also apply to new events.
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import { folderAgents } from '../../agents/folders';
import { AGENT_IDENTITIES } from '../../agents/identities';
import type { AgentIdentity } from '../../agents/identity';
import type { ImportRequest } from '../../contracts/api';
import { ImportJobs } from '../../importers/importJobs';
import { checkedPriceBook, parseOverrides, setPriceBook, setPriceUpdate, type PriceOverrides, type UpdatedPrices } from '../../pricing/priceTables';
import { loadPriceUpdate } from '../../pricing/priceUpdate';
import type { PriceBook } from '../../pricing/priceBook';
import type { ServerContext } from '../context';
import { checkImportAccess, type ImportAccess } from '../importAccess';
import { apiGet } from './apiGet';

const dirList = z.array(z.string().trim().min(1).max(4096)).max(64);

/** Every registered agent's folder field (`claude_dirs`, …) and the cwd filter; any other field is refused. */
export function importRequestSchema(agents: readonly AgentIdentity[] = AGENT_IDENTITIES) {
  const folders = Object.fromEntries(folderAgents(agents).map((a) => [a.folders.request, dirList.optional()]));
  return z.object({ ...folders, cwd_filter: dirList.optional() }).strict();
}

const ImportRequestSchema = importRequestSchema();

const RecalcSchema = z.object({ price_overrides: z.record(z.string(), z.unknown()).optional() }).strict();

function fieldErrors(e: z.ZodError): { field: string; message: string }[] {
  return e.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
}

const jobsByCtx = new WeakMap<ServerContext, ImportJobs>();

/** The server's import jobs (one running at a time). */
export function importJobs(ctx: ServerContext): ImportJobs {
  let jobs = jobsByCtx.get(ctx);
  if (!jobs) {
    const store = ctx.core.store;
    const persist = () => store.snapshot();
    jobs = new ImportJobs({ store: ctx.store, ingest: ctx.ingest, persist }, ctx.sse, ctx.log, ctx.config);
    jobsByCtx.set(ctx, jobs);
  }
  return jobs;
}

export function register(router: Router, ctx: ServerContext): void {
  const json = express.json({ limit: '256kb', type: ['application/json', 'text/plain'] });

  router.post('/api/import', json, async (req, res, next) => {
    const parsed = ImportRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      res.status(400).json({ error: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors });
      return;
    }
    let access: ImportAccess;
    try {
      access = await checkImportAccess(ctx, parsed.data as ImportRequest, req.headers);
    } catch (e) {
      next(e);
      return;
    }
    if (!access.ok) {
      res.status(403).json({ error: access.error });
      return;
    }
    const jobs = importJobs(ctx);
    const started = jobs.start(access.req);
    if (!started) {
      res.status(409).json({ error: `an import is already running (${jobs.current})`, import_id: jobs.current });
      return;
    }
    res.status(202).json({ import_id: started.import_id });
  });

  apiGet(router, '/api/import', (_req, res) => {
    const jobs = importJobs(ctx);
    res.json({ running: jobs.current, last: jobs.last });
  });

  router.delete('/api/import/:id', (req, res) => {
    const ok = importJobs(ctx).cancel(req.params.id);
    res.status(ok ? 202 : 404).json(ok ? { cancelled: req.params.id } : { error: `no running import ${req.params.id}` });
  });

  router.post('/api/recalc', json, async (req, res, next) => {
    const parsed = RecalcSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      res.status(400).json({ error: errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors });
      return;
    }
    let overrides: PriceOverrides;
    let updated: UpdatedPrices;
    try {
      // The database's price update, read again: `prices update` may just have replaced it.
      updated = loadPriceUpdate(ctx.config.dbPath)?.models ?? {};
    } catch (e) {
      res.status(409).json({ error: (e as Error).message, errors: [{ field: 'price_update', message: (e as Error).message }] });
      return;
    }
    let book: PriceBook;
    try {
      overrides = parsed.data.price_overrides
        ? parseOverrides(JSON.stringify(parsed.data.price_overrides), 'price_overrides')
        : parseOverrides(process.env.AGENTMONITOR_PRICE_OVERRIDES);
      // A price an override leaves incomplete (no input price for a model we do not know) is the request's fault too.
      book = checkedPriceBook(overrides, updated);
    } catch (e) {
      res.status(400).json({ error: (e as Error).message, errors: [{ field: 'price_overrides', message: (e as Error).message }] });
      return;
    }
    try {
      setPriceUpdate(updated);
      setPriceBook(book);
      res.json(await ctx.store.query('recalcCosts', { overrides, updated }));
    } catch (e) {
      next(e);
    }
  });
}

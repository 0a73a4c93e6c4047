/**
 * `DELETE /api/data` with body `{"confirm": true}`: removes every stored event, session, aggregate
 * and import offset durably (the store's `clear()`: tables emptied, a snapshot written, older
 * journal segments and the backup dropped), then broadcasts `data_cleared`. Answers
 * `{cleared: true, events}` with the number of events removed; 409 while an import runs (cancel it
 * first, or it would write into the cleared database).
 */
import express, { type Router } from 'express';
import { z } from 'zod';
import type { ServerContext } from '../context';
import { importJobs } from './importRoute';

const ClearSchema = z.object({ confirm: z.literal(true, { error: 'must be true' }) }).strict();

export function register(router: Router, ctx: ServerContext): void {
  const json = express.json({ limit: '4kb', type: ['application/json', 'text/plain'] });
  let clearing = false;

  router.delete('/api/data', json, async (req, res, next) => {
    const parsed = ClearSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res.status(400).json({ error: `${issue.path.join('.') || 'confirm'}: ${issue.message} (send {"confirm": true} to delete all data)` });
      return;
    }
    const store = ctx.core.store;
    const running = importJobs(ctx).current;
    if (running) {
      res.status(409).json({ error: `an import is running (${running}); cancel it first (DELETE /api/import/${running})` });
      return;
    }
    if (clearing) {
      res.status(409).json({ error: 'a clear is already in progress' });
      return;
    }
    clearing = true;
    try {
      const before = (await store.query('storeCounts', {})).events;
      await store.clear();
      ctx.log.info(`data cleared on request (${before} events removed)`);
      ctx.sse.broadcast({ type: 'data_cleared', at: new Date().toISOString() });
      res.json({ cleared: true, events: before });
    } catch (e) {
      next(e);
    } finally {
      clearing = false;
    }
  });
}

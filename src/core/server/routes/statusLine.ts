/**
 * `POST /api/statusline/claude-code` (contracts/statusLine.ts): the JSON Claude Code gives its
 * status-line command, as `agentmonitor statusline` forwards it. Its plan windows are written to
 * `rate_limits` (`recordRateLimits`: a gauge, not events) before the 200 `StatusLineAck`; the same
 * reading again is written at most once a minute (which keeps its "as of" time current). How full
 * the session's context is goes on its session (`recordContext`) when it changed, announced as a
 * `session_update`. A body we cannot use gets a 400 naming the field.
 */
import type { Router } from 'express';
import { validateStatusLine, type StatusLineAck } from '../../contracts/statusLine';
import { statusLineContext, statusLineReadings } from '../../hooks/statusLine';
import type { ServerContext } from '../context';
import { jsonBody } from '../jsonBody';

const REWRITE_SAME_MS = 60_000;
/** Sessions whose last reported context is remembered (to skip writing the same one again). */
const CONTEXTS_KEPT = 1000;

export function register(router: Router, ctx: ServerContext): void {
  const json = jsonBody(Math.min(ctx.config.maxBodyBytes, 1024 * 1024), () => true);
  /** The last reading written per window and when (two entries): the same one again is written at most once a minute. */
  const last = new Map<string, { reading: string; at: number }>();
  const lastContext = new Map<string, string>();
  router.post('/api/statusline/claude-code', json, async (req, res, next) => {
    const v = validateStatusLine(req.body as unknown);
    if (!v.ok) {
      res.status(400).json({ error: v.errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors: v.errors });
      return;
    }
    const now = Date.now();
    const fresh = statusLineReadings(v.value).filter((r) => {
      const had = last.get(r.window);
      return !had || had.reading !== JSON.stringify(r) || now - had.at >= REWRITE_SAME_MS;
    });
    try {
      if (fresh.length) {
        await ctx.store.query('recordRateLimits', { agent_type: 'claude-code', observed_at: now, limits: fresh });
        for (const r of fresh) last.set(r.window, { reading: JSON.stringify(r), at: now });
      }
      const context = statusLineContext(v.value);
      const sid = v.value.session_id;
      if (context && lastContext.get(sid) !== JSON.stringify(context)) {
        const result = await ctx.store.query('recordContext', { session_id: sid, tokens: context.tokens, window: context.window, at: now });
        // A session not stored yet (the status line can run before its first hook) is tried again next time.
        if (result !== 'unknown') {
          lastContext.delete(sid);
          lastContext.set(sid, JSON.stringify(context));
          if (lastContext.size > CONTEXTS_KEPT) lastContext.delete(lastContext.keys().next().value!);
        }
        if (result === 'changed') {
          const clock = { now, idleMs: ctx.config.idleAfterMinutes * 60_000, endMs: ctx.config.endAfterMinutes * 60_000 };
          for (const session of await ctx.store.query('sessionsByIds', { ids: [sid], ...clock })) ctx.sse.broadcast({ type: 'session_update', session });
        }
      }
    } catch (e) {
      next(e);
      return;
    }
    const ack: StatusLineAck = { stored: fresh.length };
    res.json(ack);
  });
}

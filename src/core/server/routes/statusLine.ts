/**
 * `POST /api/statusline/claude-code` (contracts/statusLine.ts): the JSON Claude Code gives its
 * status-line command, as `agentmonitor statusline` forwards it. Its plan windows are written to
 * `rate_limits` (`recordRateLimits`: a gauge, not events) before the 200 `StatusLineAck`; the same
 * reading again is written at most once a minute (which keeps its "as of" time current). A body we
 * cannot use gets a 400 naming the field.
 */
import type { Router } from 'express';
import { validateStatusLine, type StatusLineAck } from '../../contracts/statusLine';
import { statusLineReadings } from '../../hooks/statusLine';
import type { ServerContext } from '../context';
import { jsonBody } from '../jsonBody';

const REWRITE_SAME_MS = 60_000;

export function register(router: Router, ctx: ServerContext): void {
  const json = jsonBody(Math.min(ctx.config.maxBodyBytes, 1024 * 1024), () => true);
  /** The last reading written per window and when (two entries): the same one again is written at most once a minute. */
  const last = new Map<string, { reading: string; at: number }>();
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
    } catch (e) {
      next(e);
      return;
    }
    const ack: StatusLineAck = { stored: fresh.length };
    res.json(ack);
  });
}

/**
 * `POST /api/statusline/claude-code` (contracts/statusLine.ts): the JSON Claude Code gives its
 * status-line command, as `agentmonitor statusline` forwards it. What it carries that we keep (the
 * plan windows' readings) is journaled before the 200 `StatusLineAck`, as hooks are; a body we
 * cannot use gets a 400 naming the field.
 */
import type { Router } from 'express';
import { validateEvent, type EventInput } from '../../contracts/events';
import { validateStatusLine, type StatusLineAck } from '../../contracts/statusLine';
import { statusLineEvents } from '../../hooks/statusLine';
import type { ServerContext } from '../context';
import { jsonBody } from '../jsonBody';

export function register(router: Router, ctx: ServerContext): void {
  const json = jsonBody(Math.min(ctx.config.maxBodyBytes, 1024 * 1024), () => true);
  router.post('/api/statusline/claude-code', json, (req, res, next) => {
    const v = validateStatusLine(req.body as unknown);
    if (!v.ok) {
      res.status(400).json({ error: v.errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors: v.errors });
      return;
    }
    const events: EventInput[] = [];
    for (const raw of statusLineEvents(v.value)) {
      const e = validateEvent(raw);
      if (e.ok) events.push(e.value);
      else ctx.log.warn(`status line of ${v.value.session_id}: ${e.errors.map((x) => `${x.field}: ${x.message}`).join('; ')}`);
    }
    try {
      if (events.length) {
        const { applied } = ctx.ingest.journalNow(events, { source: 'hook' });
        applied.catch((e: unknown) => ctx.log.error(`status-line events are journaled but not applied yet: ${(e as Error).message ?? String(e)}`));
      }
    } catch (e) {
      next(e);
      return;
    }
    const ack: StatusLineAck = { events: events.length };
    res.json(ack);
  });
}

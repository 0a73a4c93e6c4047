/**
 * `GET /api/stream`: the SSE stream (contracts/sse.ts). Query-string filters (`agent_type`,
 * `session_id`, `event_type`, `tool_name`, `model`, `project`, `source`, on a team server `person` and `machine`; repeatable or
 * comma-separated) narrow `event` and `session_update` messages.
 */
import type { Router } from 'express';
import type { ServerContext } from '../context';
import { filterLists, QueryParamError, sendParamError, type Query } from '../queryParams';

/** `people`: the events carry who sent them (a team server), so `person=` narrows the stream; a local server refuses it. */
export function register(router: Router, ctx: Pick<ServerContext, 'sse'> & { people?: boolean }): void {
  router.get('/api/stream', (req, res) => {
    let filter;
    try {
      filter = filterLists(req.query as Query);
      for (const key of ['person', 'machine'] as const) {
        if (filter[key] && !ctx.people) throw new QueryParamError(key, `${key} filters need a team server (serve --database-url); this server keeps one machine's events`);
      }
    } catch (e) {
      if (e instanceof QueryParamError) return sendParamError(res, e);
      throw e;
    }
    if (!ctx.sse.attach) {
      res.status(503).json({ error: 'live updates are not available in this process' });
      return;
    }
    ctx.sse.attach(req, res, filter);
  });
}

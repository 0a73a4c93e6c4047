/**
 * `GET /api/stream`: the SSE stream (contracts/sse.ts). Query-string filters (`agent_type`,
 * `session_id`, `event_type`, `tool_name`, `model`, `project`, `source`; repeatable or
 * comma-separated) narrow `event` and `session_update` messages.
 */
import type { Router } from 'express';
import type { ServerContext } from '../context';
import { filterLists, QueryParamError, sendParamError, type Query } from '../queryParams';

export function register(router: Router, ctx: Pick<ServerContext, 'sse'>): void {
  router.get('/api/stream', (req, res) => {
    let filter;
    try {
      filter = filterLists(req.query as Query);
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

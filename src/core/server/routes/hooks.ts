/**
 * `POST /api/hooks/claude-code` and `POST /api/hooks/codex`: the raw JSON of any hook event, as
 * Claude Code's `http` hooks POST it and as our command-hook script forwards it.
 *
 * The answer is always an empty-bodied 200, sent before the payload is normalized and stored (in
 * the same tick, right after the answer): an http hook's answer can steer the agent (a JSON body
 * is read as a decision, plain text is added to the model's context), so ours says nothing, and
 * the agent never waits for our store. Problems after the answer are logged only. A body we cannot use at all (not JSON, not an object, no session_id, too
 * large) gets a short 4xx: for Claude Code a non-2xx answer is a non-blocking error that it shows
 * only in its debug output and otherwise ignores.
 */
import type { Router } from 'express';
import { HookIngest } from '../../hooks/hookIngest';
import { hookPayloadProblem, type HookAgent } from '../../hooks/normalize';
import type { ServerContext } from '../context';
import { jsonBody } from '../jsonBody';

export function register(router: Router, ctx: ServerContext): void {
  const hooks = new HookIngest(ctx.ingest, ctx.log, async (conversationId, turnId) => {
    const [n] = await ctx.store.query('assignCodexOrdinals', { items: [{ kind: 'hook_prompt', conversation_id: conversationId, record_key: turnId }] });
    return n;
  });
  const json = jsonBody(ctx.config.maxBodyBytes, () => true);
  for (const agent of ['claude-code', 'codex'] as HookAgent[]) {
    router.post(`/api/hooks/${agent}`, json, (req, res) => {
      const payload = req.body as unknown;
      const problem = hookPayloadProblem(payload);
      if (problem) {
        res.status(400).json({ error: problem });
        return;
      }
      const receivedAt = Date.now();
      res.status(200).end();
      void hooks.accept(agent, payload as Record<string, unknown>, receivedAt);
    });
  }
}

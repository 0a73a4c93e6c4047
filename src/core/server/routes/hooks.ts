/**
 * `POST /api/hooks/<agent>` for each agent whose adapter has hooks (`claude-code`, `codex`,
 * `gemini-cli`): the raw JSON of any hook event, as Claude Code's `http` hooks POST it and as our
 * command-hook script forwards it.
 *
 * The answer is an empty-bodied 200, sent once the payload's events are in the journal (normalized
 * and appended synchronously, a fraction of a millisecond; the store applies them afterwards): a
 * kill -9 right after the answer loses nothing, and the agent never waits for the store. An http
 * hook's answer can steer the agent (a JSON body is read as a decision, plain text is added to the
 * model's context), so ours says nothing. A body we cannot use at all (not JSON, not an object, no
 * session_id, too large) gets a short 4xx; a journal that cannot take it (disk full) a 507, an
 * overloaded store a 503: for Claude Code a non-2xx answer is a non-blocking error that it shows
 * only in its debug output and otherwise ignores.
 *
 * A team server (`ackAfterStore`) answers once PostgreSQL committed the events (it has no journal),
 * 503 when it did not; the events are the token's person's, from the `X-AgentMonitor-Machine`
 * header's machine.
 */
import type { Router } from 'express';
import { AGENTS } from '../../agents/registry';
import { HookIngest } from '../../hooks/hookIngest';
import { hookPayloadProblem, type HookAgent } from '../../hooks/normalize';
import { failpoint } from '../../store/failpoint';
import type { ServerContext } from '../context';
import { jsonBody } from '../jsonBody';
import { writerMachine, writerPerson } from '../writer';

/** The transcripts a hook names, tailed while logs are followed live (`liveWatch.ts`). */
function followTranscripts(ctx: HooksRouteContext, payload: Record<string, unknown>): void {
  const sid = payload.session_id;
  if (!ctx.followTranscript || typeof sid !== 'string') return;
  for (const key of ['transcript_path', 'agent_transcript_path']) {
    const p = payload[key];
    if (typeof p === 'string' && p.length <= 4096) ctx.followTranscript(sid, p);
  }
}

export type HooksRouteContext = Pick<ServerContext, 'config' | 'ingest' | 'log' | 'followTranscript'> & {
  /** Answer once the store has the events (a team server), not once they are journaled. */
  ackAfterStore?: boolean;
  /** Only these agents' hooks (default: every agent with hooks). */
  agents?: HookAgent[];
};

export function register(router: Router, ctx: HooksRouteContext): void {
  const hooks = new HookIngest(ctx.ingest, ctx.log);
  const json = jsonBody(ctx.config.maxBodyBytes, () => true);
  const agents: HookAgent[] = AGENTS.flatMap((a) => (a.hooks && 'agent' in a.hooks ? [a.hooks.agent] : [])).filter((a) => !ctx.agents || ctx.agents.includes(a));
  for (const agent of agents) {
    router.post(`/api/hooks/${agent}`, json, async (req, res, next) => {
      const payload = req.body as unknown;
      const problem = hookPayloadProblem(payload);
      if (problem) {
        res.status(400).json({ error: problem });
        return;
      }
      let applied: Promise<Error | null>;
      try {
        const person = writerPerson(res);
        const machine = writerMachine(res);
        ({ applied } = hooks.accept(agent, payload as Record<string, unknown>, Date.now(), { ...(person !== undefined ? { person } : {}), ...(machine !== undefined ? { machine } : {}) }));
      } catch (e) {
        next(e);
        return;
      }
      if (ctx.ackAfterStore) {
        const failed = await applied;
        if (failed) {
          res.status(503).json({ error: failed.message });
          return;
        }
      }
      followTranscripts(ctx, payload as Record<string, unknown>);
      res.on('finish', () => failpoint('hook-answered'));
      res.status(200).end();
    });
  }
}

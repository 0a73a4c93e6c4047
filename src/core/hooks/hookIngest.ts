/**
 * The server side of the hook channel, independent of HTTP: turns one raw hook payload into
 * validated events and hands them to ingest. Holds the bounded state the normalizer needs (git
 * branch cache, tool/compaction pairing). Never throws: a hook must never see our problems.
 */
import { channelEventId } from '../contracts/eventIds';
import { validateEvent, type EventInput } from '../contracts/events';
import type { IngestSink } from '../ingest/types';
import type { Logger } from '../log';
import { GitBranchCache } from './gitBranch';
import { HookPairing } from './hookPairing';
import { normalizeHookPayload, type HookAgent } from './normalize';

export class HookIngest {
  readonly branches = new GitBranchCache();
  readonly pairing = new HookPairing();
  /** Payloads accepted since start, and events that failed normalization or validation. */
  received = 0;
  dropped = 0;

  /**
   * `numberPrompts` numbers Codex prompts per conversation (the store's `assignCodexOrdinals` with
   * kind `hook_prompt`, keyed by turn id), so a hook prompt gets `prompt:codex:<session>:<n>`, the
   * id the rollout importer and the OTLP mapper give the same prompt (see `eventIds.ts`).
   */
  constructor(
    private readonly sink: IngestSink,
    private readonly log: Logger,
    private readonly numberPrompts?: (conversationId: string, turnId: string) => Promise<number>,
  ) {}

  /** Normalize and start ingesting; the promise settles when the store has the events (never rejects). */
  accept(agent: HookAgent, payload: Record<string, unknown>, receivedAt = Date.now()): Promise<void> {
    this.received++;
    let events: EventInput[];
    try {
      const raw = normalizeHookPayload(agent, payload, {
        receivedAt,
        branchFor: (cwd) => this.branches.branchFor(cwd),
        pairing: this.pairing,
      });
      events = [];
      for (const e of raw) {
        const v = validateEvent(e);
        if (v.ok) events.push(v.value);
        else {
          this.dropped++;
          this.log.warn(`${agent} hook ${String(payload.hook_event_name)}: ${v.errors.map((x) => `${x.field}: ${x.message}`).join('; ')}`);
        }
      }
    } catch (e) {
      this.dropped++;
      this.log.error(`${agent} hook ${String(payload.hook_event_name)} could not be normalized: ${(e as Error).stack ?? String(e)}`);
      return Promise.resolve();
    }
    if (!events.length) return Promise.resolve();
    return this.numberCodexPrompts(agent, events)
      .then(() => this.sink.ingest(events, { source: 'hook' }))
      .then(
        () => undefined,
        (e: unknown) => this.log.error(`${agent} hook ingest failed: ${(e as Error).message ?? String(e)}`),
      );
  }

  private async numberCodexPrompts(agent: HookAgent, events: EventInput[]): Promise<void> {
    if (agent !== 'codex' || !this.numberPrompts) return;
    for (const e of events) {
      const turn = e.event_type === 'user_prompt' ? (e.metadata as Record<string, unknown> | undefined)?.turn_id : undefined;
      if (typeof turn !== 'string') continue;
      try {
        const n = await this.numberPrompts(e.session_id, turn);
        e.event_id = channelEventId('prompt', 'codex', e.session_id, String(n));
      } catch (err) {
        this.log.warn(`codex hook prompt could not be numbered, kept its turn id: ${(err as Error).message}`);
      }
    }
  }
}

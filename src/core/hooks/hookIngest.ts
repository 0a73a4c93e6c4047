/**
 * The server side of the hook channel, independent of HTTP: turns one raw hook payload into
 * validated events and hands them to ingest. Holds the bounded state the normalizer needs (git
 * branch cache, tool/compaction pairing). Never throws: a hook must never see our problems.
 */
import { validateEvent, type EventInput } from '../contracts/events';
import type { IngestOptions, IngestSink } from '../ingest/types';
import type { Logger } from '../log';
import { GitBranchCache } from './gitBranch';
import { HookPairing } from './hookPairing';
import { hookInstaller } from './hookAgents';
import type { HookAgent, HookMapper } from './normalize';

export class HookIngest {
  readonly branches = new GitBranchCache();
  readonly pairing = new HookPairing();
  /** Payloads accepted since start, and events that failed normalization or validation. */
  received = 0;
  dropped = 0;
  private readonly mappers = new Map<HookAgent, { map: HookMapper; numberPrompts: boolean }>();

  constructor(
    private readonly sink: IngestSink,
    private readonly log: Logger,
  ) {}

  /**
   * Normalize the payload and journal its events before returning, so the caller may answer the
   * hook at once and a kill -9 right after the answer loses nothing. Problems with the payload are
   * logged, never thrown (a hook must never see them); a store that cannot take the events (disk
   * full, overloaded) throws, so the route says so. `applied` settles (never rejects) when the
   * store has them, with the error when it could not take them. Codex prompts are numbered by their turn in the store (`numberCodexPrompts`):
   * the id the rollout importer and the OTLP mapper give the same prompt (see `eventIds.ts`).
   */
  accept(agent: HookAgent, payload: Record<string, unknown>, receivedAt = Date.now(), who: Pick<IngestOptions, 'person' | 'machine'> = {}): { applied: Promise<Error | null> } {
    this.received++;
    const none = { applied: Promise.resolve(null) };
    let events: EventInput[];
    let numberPrompts: boolean;
    try {
      const mapper = this.mapperFor(agent);
      numberPrompts = mapper.numberPrompts;
      const raw = mapper.map(payload, {
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
      return none;
    }
    if (!events.length) return none;
    const { applied } = this.sink.journalNow(events, { source: 'hook', numberCodexPrompts: numberPrompts, ...who });
    return {
      applied: applied.then(
        () => null,
        (e: unknown) => {
          this.log.error(`${agent} hook events are journaled but the store did not apply them yet: ${(e as Error).message ?? String(e)}`);
          return e instanceof Error ? e : new Error(String(e));
        },
      ),
    };
  }

  private mapperFor(agent: HookAgent): { map: HookMapper; numberPrompts: boolean } {
    let m = this.mappers.get(agent);
    if (!m) {
      const hooks = hookInstaller(agent);
      m = { map: hooks.mapper(), numberPrompts: hooks.numberPrompts === true };
      this.mappers.set(agent, m);
    }
    return m;
  }
}

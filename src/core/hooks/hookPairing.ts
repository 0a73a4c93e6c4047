/**
 * What the hook normalizer remembers between requests, bounded: when each tool call and each
 * compaction started, so that the matching "after" hook can carry a duration when the agent does
 * not report one (Codex sends no `duration_ms`) and a compaction's two hooks become one event.
 */
export class BoundedMap<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  /** Returns and forgets the value. */
  take(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) this.map.delete(key);
    return v;
  }
}

export class HookPairing {
  private readonly tools: BoundedMap<number>;
  private readonly compactions: BoundedMap<{ id: string; at: number }>;

  constructor(maxPending = 10_000) {
    this.tools = new BoundedMap(maxPending);
    this.compactions = new BoundedMap(Math.max(16, Math.floor(maxPending / 10)));
  }

  toolStarted(eventId: string, at: number): void {
    this.tools.set(eventId, at);
  }

  /** Milliseconds since the tool started, when its start was seen. */
  toolFinished(eventId: string, at: number): number | undefined {
    const start = this.tools.take(eventId);
    return start === undefined ? undefined : Math.max(0, at - start);
  }

  compactionStarted(sessionKey: string, id: string, at: number): void {
    this.compactions.set(sessionKey, { id, at });
  }

  compactionFinished(sessionKey: string): { id: string; at: number } | undefined {
    return this.compactions.take(sessionKey);
  }

  get pendingTools(): number {
    return this.tools.size;
  }
}

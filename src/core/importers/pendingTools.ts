import type { EventInputRaw } from '../contracts/events';

const MAX_PENDING_TOOLS = 2000;

interface Pending {
  at: number;
  name: string;
  /** The tool_use event of the current pass, still open for its result to complete it. */
  event?: EventInputRaw;
}

/**
 * Tool calls waiting for their result (bounded, oldest dropped first), carried between passes as
 * `[id, epoch ms, name]` so a result read later still gets its duration and tool name.
 */
export class PendingTools {
  private readonly map = new Map<string, Pending>();

  constructor(saved: [string, number, string][] = []) {
    for (const [id, at, name] of saved) this.map.set(id, { at, name });
  }

  hasEvent(id: string): boolean {
    return !!this.map.get(id)?.event;
  }

  remember(id: string, at: number, name: string, event: EventInputRaw): void {
    if (this.map.size >= MAX_PENDING_TOOLS) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(id, { at: Number.isFinite(at) ? at : 0, name, event });
  }

  /**
   * The result of call `id` arrived at `at`: completes the open event of this pass (returns null),
   * or returns what a completion event needs (tool name, duration). `fields` (the output) go into
   * the open event's metadata.
   */
  complete(id: string, at: number, status: 'success' | 'error', durationMs?: number, fields?: Record<string, unknown>): { name?: string; duration?: number } | null {
    const p = this.map.get(id);
    this.map.delete(id);
    const duration = durationMs ?? (p && p.at && Number.isFinite(at) && at >= p.at ? at - p.at : undefined);
    if (p?.event && p.event.status === 'running') {
      p.event.status = status;
      p.event.duration_ms = duration;
      if (fields) p.event.metadata = Object.assign((p.event.metadata as Record<string, unknown> | undefined) ?? {}, fields);
      return null;
    }
    return { name: p?.name, duration };
  }

  /** The pass ended: its events are handed out and can no longer be changed. */
  detachEvents(): void {
    for (const p of this.map.values()) p.event = undefined;
  }

  toJSON(): [string, number, string][] {
    return [...this.map].map(([id, p]) => [id, p.at, p.name]);
  }
}

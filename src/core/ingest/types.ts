/**
 * What every channel (HTTP contract, hooks, OTLP, importers) hands its normalized events to.
 */
import type { EventInput, EventSource } from '../contracts/events';

export interface IngestOptions {
  /** Source recorded for events that do not name one. */
  source?: EventSource;
  /**
   * Wait until the store has applied the events (needed to know duplicates exactly). Events with
   * an `event_id` always wait; events without one are acknowledged once journaled.
   */
  waitForStore?: boolean;
  /** Do not broadcast over SSE (bulk import sends progress instead). */
  quiet?: boolean;
}

export interface IngestOutcome {
  /** Stored id per input (the existing row's id for a duplicate). */
  ids: number[];
  inserted: number;
  duplicates: number;
  /** Running events completed by a later final status (Pre → Post tool use). */
  completed: number;
}

export interface IngestSink {
  ingest(events: EventInput[], opts?: IngestOptions): Promise<IngestOutcome>;
}

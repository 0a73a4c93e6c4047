/**
 * What every channel (HTTP contract, hooks, OTLP, importers) hands its normalized events to.
 */
import type { EventInput, EventSource } from '../contracts/events';
import type { PackedRecords, RecordOptions } from '../contracts/importWorker';

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
  /**
   * `false`: do not write these events to the journal. Only for events the caller can read again
   * from their source and whose read position is stored in the same database (a log import: its
   * offsets are lost together with its events, so a crash means a re-read, not a loss); the caller
   * must make them durable with a snapshot before it reports them done.
   */
  journal?: boolean;
  /**
   * Codex hook prompts (`user_prompt` without an `event_id`, `metadata.turn_id` set) get the id of
   * their turn's ordinal in the conversation, assigned by the store (`EventRecord.number_turn`).
   */
  numberCodexPrompts?: boolean;
  /**
   * Team mode: the person the request's token belongs to. The team store records the events as
   * this person, whatever their metadata says (a token writes only as its person).
   */
  person?: string;
  /**
   * Team mode: the machine the events came from (the pushing host, OTLP's `host.name`, a hook's
   * `X-AgentMonitor-Machine` header); unset: not known. A local store ignores it.
   */
  machine?: string;
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
  /**
   * Journal the events before returning (synchronously: throws a `StorageError` when the disk
   * refuses them, a 503 error when the store is overloaded) and apply them in the background, for
   * a caller that answers at once (hooks): once this returns they survive a kill -9. `applied`
   * settles when the store has them.
   */
  journalNow(events: EventInput[], opts?: IngestOptions): { applied: Promise<IngestOutcome> };
  /**
   * A bulk import's parse worker normalizes and prices its events itself, with these settings (the
   * same `ingest/normalize.ts` and the same prices as `ingest`), and hands them to `ingestPacked`.
   */
  recordOptions?(): RecordOptions;
  /**
   * Store records packed by a parse worker (`recordOptions`), in order, waiting for the store; never
   * journaled and never broadcast: for imports only (`IngestOptions.journal` false, `quiet`).
   */
  ingestPacked?(chunks: PackedRecords[]): Promise<IngestOutcome>;
}

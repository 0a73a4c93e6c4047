/**
 * The ingest pipeline: normalize → price → journal (durable) → store worker → broadcast.
 * Events without an `event_id` are acknowledged as soon as they are journaled; events with one wait
 * for the store so that duplicates are known exactly. Session updates are coalesced and broadcast
 * at most every `SESSION_UPDATE_MS`.
 */
import type { EventInput } from '../contracts/events';
import type { Session } from '../contracts/api';
import type { Logger } from '../log';
import type { Broadcaster } from './broadcaster';
import type { InsertOutcome } from '../contracts/storeWorker';
import type { PackedRecords, RecordOptions } from '../contracts/importWorker';
import { priceBook } from '../pricing/priceTables';
import { QUERIES } from '../store/queries/registry';
import { recordToStoredEvent, type EventRecord } from '../store/records';
import type { Store } from '../store/store';
import { toRecords } from './normalize';
import type { IngestOptions, IngestOutcome, IngestSink } from './types';

export const SESSION_UPDATE_MS = 250;

export interface IngestorOptions {
  store: Store;
  hub: Broadcaster;
  log: Logger;
  maxPayloadBytes: number;
  /** False: `metadata.thinking` (what the model thought, from transcripts) is not stored. */
  storeThinking?: boolean;
  idleAfterMinutes: number;
  endAfterMinutes: number;
}

type SessionsByIds = (db: unknown, p: { ids: string[]; now: number; idleMs: number; endMs: number }) => Session[];

export class Ingestor implements IngestSink {
  private readonly touched = new Set<string>();
  private sessionTimer: NodeJS.Timeout | null = null;
  /** Events ingested since start (accepted, not duplicates). */
  accepted = 0;

  constructor(private readonly o: IngestorOptions) {}

  async ingest(events: EventInput[], opts: IngestOptions = {}): Promise<IngestOutcome> {
    if (!events.length) return { ids: [], inserted: 0, duplicates: 0, completed: 0 };
    const records = this.toRecords(events, opts);
    await this.o.store.whenWritable();
    this.o.store.allocateIds(records);
    return this.settle(records, this.o.store.append(records, opts.journal !== false), opts);
  }

  journalNow(events: EventInput[], opts: IngestOptions = {}): { applied: Promise<IngestOutcome> } {
    if (!events.length) return { applied: Promise.resolve({ ids: [], inserted: 0, duplicates: 0, completed: 0 }) };
    const records = this.toRecords(events, opts);
    this.o.store.allocateIds(records);
    const applied = this.o.store.appendNow(records);
    return { applied: this.settle(records, applied, opts) };
  }

  recordOptions(): RecordOptions {
    return { maxPayloadBytes: this.o.maxPayloadBytes, storeThinking: this.o.storeThinking !== false, prices: priceBook().inputs };
  }

  async ingestPacked(chunks: PackedRecords[]): Promise<IngestOutcome> {
    if (!chunks.length) return { ids: [], inserted: 0, duplicates: 0, completed: 0 };
    await this.o.store.whenWritable();
    const out = await this.o.store.appendPacked(chunks);
    this.afterApply(out);
    this.accepted += out.inserted;
    return { ids: out.ids, inserted: out.inserted, duplicates: out.duplicates, completed: out.completed };
  }

  private toRecords(events: EventInput[], opts: IngestOptions): EventRecord[] {
    return toRecords(events, { source: opts.source ?? 'api', maxPayloadBytes: this.o.maxPayloadBytes, storeThinking: this.o.storeThinking !== false, numberCodexPrompts: opts.numberCodexPrompts });
  }

  private async settle(records: EventRecord[], applied: Promise<InsertOutcome>, opts: IngestOptions): Promise<IngestOutcome> {
    const wait = opts.waitForStore || records.some((r) => r.event_id !== null || r.number_turn !== undefined);
    if (!wait) {
      applied.then((out) => this.afterApply(out), () => {});
      if (!opts.quiet) this.broadcastRecords(records);
      this.accepted += records.length;
      return { ids: records.map((r) => r.id), inserted: records.length, duplicates: 0, completed: 0 };
    }
    const out = await applied;
    this.afterApply(out);
    if (!opts.quiet) {
      const shown: EventRecord[] = [];
      records.forEach((r, i) => {
        if (out.kinds[i] === 'inserted') shown.push(r);
        else if (out.kinds[i] === 'completed') shown.push({ ...r, id: out.ids[i] });
      });
      this.broadcastRecords(shown);
    }
    this.accepted += out.inserted;
    return { ids: out.ids, inserted: out.inserted, duplicates: out.duplicates, completed: out.completed };
  }

  private broadcastRecords(records: EventRecord[]): void {
    if (!this.o.hub.clientCount()) return;
    for (const r of records) this.o.hub.broadcast({ type: 'event', event: recordToStoredEvent(r) });
  }

  private afterApply(out: InsertOutcome): void {
    if (!this.o.hub.clientCount()) return;
    for (const s of out.sessions) this.touched.add(s);
    if (this.touched.size > 5000) this.touched.clear();
    if (!this.sessionTimer) {
      this.sessionTimer = setTimeout(() => void this.flushSessions(), SESSION_UPDATE_MS);
      this.sessionTimer.unref();
    }
  }

  private async flushSessions(): Promise<void> {
    this.sessionTimer = null;
    const ids = [...this.touched];
    this.touched.clear();
    if (!ids.length || !('sessionsByIds' in QUERIES)) return;
    try {
      const query = this.o.store.query.bind(this.o.store) as unknown as (n: string, p: Parameters<SessionsByIds>[1]) => Promise<Session[]>;
      const sessions = await query('sessionsByIds', {
        ids,
        now: Date.now(),
        idleMs: this.o.idleAfterMinutes * 60_000,
        endMs: this.o.endAfterMinutes * 60_000,
      });
      for (const session of sessions) this.o.hub.broadcast({ type: 'session_update', session });
    } catch (e) {
      this.o.log.warn(`session update failed: ${(e as Error).message}`);
    }
  }

  close(): void {
    if (this.sessionTimer) clearTimeout(this.sessionTimer);
    this.sessionTimer = null;
  }
}

/** Gives Codex hook prompts their turn's id (`EventRecord.number_turn`) inside the store worker. */
import { channelEventId } from '../contracts/eventIds';
import type { EventRecord } from './records';
import { codexOrdinal } from './queries/otelMetrics';
import type { SqlDb } from './sqlDb';

export function numberTurns(db: SqlDb, records: EventRecord[]): void {
  for (const r of records) {
    if (r.number_turn === undefined) continue;
    const n = codexOrdinal(db, { kind: 'hook_prompt', conversation_id: r.session_id, record_key: r.number_turn });
    r.event_id = channelEventId('prompt', 'codex', r.session_id, String(n));
    delete r.number_turn;
  }
}

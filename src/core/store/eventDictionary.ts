/**
 * The integers a stored event row holds instead of its repeated strings (migration 7): its session
 * (`event_sessions`), its type (`event_types`) and its label, the other repeated columns together
 * (`event_labels`, `LABEL_COLUMNS`). Every write of `event_rows` takes its numbers here. Known
 * entries are kept in memory; a rolled-back transaction forgets them all (`SqlDb.transaction`), as
 * the rows it added are gone.
 */
import type { SqlDb } from './sqlDb';
import { LABEL_COLUMNS } from './schema';

export type LabelColumn = (typeof LABEL_COLUMNS)[number];
export type EventLabel = { [K in LabelColumn]: string | null };

/** `event_labels.key`: the same text as `labelKeySql` builds in SQL. */
export function labelKey(l: EventLabel): string {
  return JSON.stringify(LABEL_COLUMNS.map((c) => l[c]));
}

const LABEL_SELECT = `SELECT ${LABEL_COLUMNS.map((c) => `l.${c}`).join(', ')} FROM event_rows r JOIN event_labels l ON l.id = r.label WHERE r.id = ?`;

export class EventDictionary {
  private sessions = new Map<string, number>();
  private types = new Map<string, number>();
  private labels = new Map<string, number>();

  constructor(private readonly db: SqlDb) {}

  session(sessionId: string): number {
    return this.lookup(this.sessions, sessionId, 'SELECT id FROM event_sessions WHERE session_id = ?', 'INSERT INTO event_sessions (session_id) VALUES (?)', [sessionId]);
  }

  type(eventType: string): number {
    return this.lookup(this.types, eventType, 'SELECT id FROM event_types WHERE event_type = ?', 'INSERT INTO event_types (event_type) VALUES (?)', [eventType]);
  }

  label(l: EventLabel): number {
    const key = labelKey(l);
    return this.lookup(
      this.labels,
      key,
      'SELECT id FROM event_labels WHERE key = ?',
      `INSERT INTO event_labels (key, ${LABEL_COLUMNS.join(', ')}) VALUES (?${', ?'.repeat(LABEL_COLUMNS.length)})`,
      [key, ...LABEL_COLUMNS.map((c) => l[c])],
    );
  }

  /** Give row `id` the label its current one has with `change` applied; false if there is no such row. */
  relabel(id: number, change: Partial<EventLabel>): boolean {
    const current = this.db.get<EventLabel>(LABEL_SELECT, [id]);
    if (!current) return false;
    const next = { ...current, ...change };
    if (labelKey(next) !== labelKey(current)) this.db.run('UPDATE event_rows SET label = ? WHERE id = ?', [this.label(next), id]);
    return true;
  }

  /** Drop what is known (after a rollback, or when the tables were emptied). */
  forget(): void {
    this.sessions.clear();
    this.types.clear();
    this.labels.clear();
  }

  private lookup(known: Map<string, number>, value: string, selectSql: string, insertSql: string, insertParams: (string | null)[]): number {
    let id = known.get(value);
    if (id === undefined) {
      id = this.db.get<{ id: number }>(selectSql, [value])?.id;
      if (id === undefined) {
        this.db.run(insertSql, insertParams);
        id = this.db.get<{ id: number }>('SELECT last_insert_rowid() AS id')!.id;
      }
      known.set(value, id);
    }
    return id;
  }
}

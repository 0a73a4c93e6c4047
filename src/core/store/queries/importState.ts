import type { SqlDb } from '../sqlDb';
import type { WriteDeclarations } from './writes';
import type { ImportStateRow } from '../../contracts/importWorker';

export const queries = {
  getImportState(db: SqlDb, p: { path: string }): ImportStateRow | null {
    return db.get<ImportStateRow>('SELECT * FROM import_state WHERE path = ?', [p.path]) ?? null;
  },
  listImportState(db: SqlDb, _p: Record<string, never> = {}): ImportStateRow[] {
    return db.all<ImportStateRow>('SELECT * FROM import_state ORDER BY path');
  },
  setImportState(db: SqlDb, p: { rows: ImportStateRow[] }): number {
    return db.transaction(() => {
      for (const r of p.rows) {
        db.run(
          `INSERT INTO import_state (path, size, mtime_ms, byte_offset, head_hash, state_json, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms,
             byte_offset = excluded.byte_offset, head_hash = excluded.head_hash,
             state_json = excluded.state_json, updated_at = excluded.updated_at`,
          [r.path, r.size, r.mtime_ms, r.byte_offset, r.head_hash, r.state_json, r.updated_at],
        );
      }
      return p.rows.length;
    });
  },
  clearImportState(db: SqlDb, _p: Record<string, never> = {}): number {
    return db.run('DELETE FROM import_state');
  },
};

/** The tables each writing query changes (`registry.ts`). */
export const writeQueries = { setImportState: ['import_state'], clearImportState: ['import_state'] } as const satisfies WriteDeclarations<typeof queries>;

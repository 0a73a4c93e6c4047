import type { SqlDb } from '../sqlDb';
import type { WriteDeclarations } from './writes';
import type { ImportStateRow } from '../../contracts/importWorker';
import { databaseFileBytes, reserveDatabaseFile } from '../sqlJsRuntime';

/**
 * Stored bytes per byte of log read, with room to spare: the benchmark's 1 GB imports stored
 * 0.17 (Claude) and 0.13 (Codex) in the database file (metadata goes to the payload file), and
 * 0.27 and 0.15 since the search index (issue 17). An import that outgrows its reservation copies
 * the file to a doubled buffer: at 1 GB of Claude logs, 0.25 made the peak RSS 960 MB, not 708.
 */
export const DB_BYTES_PER_LOG_BYTE = 0.35;

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
  /**
   * Before an import reads `logBytes` of logs: give the in-memory database file room for what it
   * will store (see `reserveDatabaseFile`), so the import never copies the file to grow it. Writes
   * nothing. Returns the file's capacity target.
   */
  reserveForImport(db: SqlDb, p: { logBytes: number }): number {
    const target = databaseFileBytes(db.raw).length + p.logBytes * DB_BYTES_PER_LOG_BYTE;
    reserveDatabaseFile(db.raw, target);
    return Math.round(target);
  },
  clearImportState(db: SqlDb, _p: Record<string, never> = {}): number {
    return db.run('DELETE FROM import_state');
  },
};

/** The tables each writing query changes (`registry.ts`). */
export const writeQueries = { setImportState: ['import_state'], clearImportState: ['import_state'] } as const satisfies WriteDeclarations<typeof queries>;

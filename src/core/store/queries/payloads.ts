/** The payload file's housekeeping (`payloadFiles.ts`), run by the store on the worker. */
import type { SqlDb } from '../sqlDb';
import { compactPayloads, type CompactionResult } from '../payloadCompaction';

export const queries = {
  /** `<db>.bak` was removed (a clear): payload files only it referred to go too. */
  payloadBackupRemoved(db: SqlDb, _p: Record<string, never> = {}): null {
    db.payloads.backupRemoved();
    return null;
  },

  /** Compact the payload file when most of it is garbage, or always with `force`. */
  compactPayloads(db: SqlDb, p: { force: boolean }): CompactionResult {
    return compactPayloads(db, p.force);
  },
};

export const writeQueries = {} as const;

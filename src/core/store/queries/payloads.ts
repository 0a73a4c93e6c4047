/** The payload file's housekeeping (`payloadFiles.ts`), run by the store on the worker. */
import type { SqlDb } from '../sqlDb';

export const queries = {
  /** `<db>.bak` was removed (a clear): payload files only it referred to go too. */
  payloadBackupRemoved(db: SqlDb, _p: Record<string, never> = {}): null {
    db.payloads.backupRemoved();
    return null;
  },
};

export const writeQueries = [] as const;

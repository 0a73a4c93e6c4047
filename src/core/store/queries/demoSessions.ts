/**
 * Whether a database holds anything but `agentmonitor demo` data: demo sessions are named
 * `demo-…` (`cli/demo.ts`), so any other session id is real data that demo must not mix into
 * silently or delete.
 */
import type { SqlDb } from '../sqlDb';

export const queries = {
  nonDemoSessions(db: SqlDb, _p: Record<string, never> = {}): { sessions: number; example: string | null } {
    const row = db.get<{ n: number; example: string | null }>(`SELECT COUNT(*) AS n, MIN(session_id) AS example FROM sessions WHERE session_id NOT LIKE 'demo-%'`)!;
    return { sessions: row.n, example: row.example };
  },
};

export const writeQueries = {} as const;

/** OpenCode: `<data folder>/opencode.db` (SQLite), or before it one JSON file per message under `storage/message/`. */
import * as path from 'node:path';
import { isOpencodeDb, readOpencodeDb } from '../../importers/opencode';
import { isOpencodeMessageFile, OpencodeJsonParser } from '../../importers/opencodeJson';
import type { AgentAdapter } from '../types';
import { opencodeDoctor } from './doctor';
import { opencodeIdentity } from './identity';

export const opencode: AgentAdapter = {
  doctor: opencodeDoctor,
  identity: opencodeIdentity,
  logSources: [
    {
      kind: 'opencode',
      agentType: 'opencode',
      subdirs: [],
      accepts: isOpencodeDb,
      // It holds every project's sessions: it is read whole.
      inCwd: () => true,
      parser: () => {
        throw new Error('an OpenCode database is read by readOpencodeDb, not by lines');
      },
      database: readOpencodeDb,
    },
    {
      kind: 'opencode-json',
      agentType: 'opencode',
      // Versions before the database: one file per message (its parts and session beside).
      subdirs: ['storage/message'],
      accepts: isOpencodeMessageFile,
      inCwd: () => true,
      // By message id, which grows with its creation: a fork's copies come after their originals.
      sortKey: (p) => path.basename(p),
      maxDepth: 1,
      wholeFile: () => true,
      parser: (file) => new OpencodeJsonParser(file),
    },
  ],
};

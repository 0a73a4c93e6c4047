/**
 * Where the tests find the team's shared test data: the copy in `test/shared/` (see its README),
 * or another copy named by `AGENTMONITOR_SHARED_DIR` / `AGENTMONITOR_FIXTURES`.
 */
import * as path from 'node:path';

export const SHARED_DIR = process.env.AGENTMONITOR_SHARED_DIR ?? path.resolve(__dirname, '../shared');
export const FIXTURES_DIR = process.env.AGENTMONITOR_FIXTURES ?? path.join(SHARED_DIR, 'fixtures');

/**
 * An upgrade finds a journal written by the previous version (one JSON object per batch) beside
 * its database: the store replays it, metadata byte for byte, and journals on in the new format.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/core/config';
import { toRecord } from '../../src/core/ingest/normalize';
import { silentLogger } from '../../src/core/log';
import { openCore } from '../../src/core/runtime';
import { crashCopy, tmpDir } from '../helpers/tmp';

const open = (dbPath: string) => openCore({ config: loadConfig({}, { dbPath, snapshotIntervalS: 3600 }), log: silentLogger });

test('a journal of the previous format is replayed at start, and the store journals on after it', async () => {
  const dir = tmpDir();
  const dbPath = path.join(dir, 'am.db');
  const meta = (i: number) => ({ command: 'echo "hi"\tthere', text: `é 🙂 line\nbreak ${i}` });
  const recs = Array.from({ length: 6 }, (_, i) => ({
    ...toRecord({ session_id: 'up', agent_type: 'claude-code', event_type: 'tool_use', tool_name: 'Bash', event_id: `old-${i}`, metadata: meta(i) }, 'api', 1 << 20, 1_700_000_000_000 + i),
    id: i + 1,
  }));
  fs.writeFileSync(`${dbPath}.journal-000000000001`, [0, 3].map((k, s) => JSON.stringify({ s: s + 1, r: recs.slice(k, k + 3) }) + '\n').join(''));

  const core = await open(dbPath);
  let copy: string;
  try {
    assert.equal((await core.store.query('storeCounts', {})).events, 6);
    await core.ingest.ingest([{ session_id: 'up', agent_type: 'claude-code', event_type: 'tool_use', event_id: 'new-0', metadata: meta(6) }]);
    copy = crashCopy(dbPath);
  } finally {
    await core.close();
  }
  // What a crash would have left: the new event only in a segment of the new format.
  const segs = fs.readdirSync(path.dirname(copy)).filter((f) => f.includes('.journal-'));
  assert.ok(segs.some((f) => fs.readFileSync(path.join(path.dirname(copy), f), 'utf8').includes('new-0')), 'the new event is journaled');
  assert.ok(segs.some((f) => fs.readFileSync(path.join(path.dirname(copy), f), 'utf8').includes('\t{"command"')), 'in the new format');
  const again = await open(copy);
  try {
    const { events } = await again.store.query('listEvents', { filter: {}, limit: 100 });
    assert.deepEqual(
      events.map((e) => [e.event_id, e.metadata]).sort(),
      Array.from({ length: 7 }, (_, i) => [i < 6 ? `old-${i}` : 'new-0', meta(i)]).sort(),
    );
  } finally {
    await again.close();
  }
});

/**
 * An agent's log folder that does not exist when the server starts (Gemini CLI creates `~/.gemini`
 * on its first run) is watched once it appears, and the files already in it are read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventInput } from '../../src/core/contracts/events';
import type { IngestSink } from '../../src/core/ingest/types';
import { startLogWatcher } from '../../src/core/importers/liveWatch';
import { silentLogger } from '../../src/core/log';
import { openTestCore, scratchDir } from './importHelpers';

const line = (o: object) => JSON.stringify(o) + '\n';

describe('live mode and a log folder that appears after the start', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let watcher: ReturnType<typeof startLogWatcher>;
  let home: string;
  const seen = new Set<string>();
  let wake: (() => void) | null = null;

  before(async () => {
    core = await openTestCore();
    home = path.join(scratchDir(), '.gemini');
    const sink: IngestSink = {
      ingest: async (events: EventInput[], opts) => {
        for (const e of events) if (e.event_id) seen.add(e.event_id);
        wake?.();
        return core.ingest.ingest(events, opts);
      },
      journalNow: (events, opts) => core.ingest.journalNow(events, opts),
    };
    watcher = startLogWatcher({ store: core.store, ingest: sink }, { claudeDirs: [], codexDirs: [], geminiDirs: [home], log: silentLogger, catchUpHours: 0, missingRootCheckMs: 50 });
    await watcher.ready;
  });
  after(async () => {
    await watcher.close();
    await core.close();
  });

  /** Resolves when the event has arrived; rejects after 10 s, naming it. */
  const arrival = async (id: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!seen.has(id)) {
      if (Date.now() > deadline) throw new Error(`${id} never arrived; seen: ${[...seen].join(', ')}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000).unref();
      });
    }
  };

  it("reads the first session's chat once ~/.gemini exists, and what is appended after", async () => {
    const chats = path.join(home, 'tmp', 'proj', 'chats');
    fs.mkdirSync(chats, { recursive: true });
    const file = path.join(chats, 'session-2026-12-07T10-00-feed0001.jsonl');
    const gemini = (id: string, input: number) =>
      line({ id, timestamp: '2026-12-07T10:00:01.000Z', type: 'gemini', content: 'ok', tokens: { input, output: 5, cached: 0, thoughts: 0, tool: 0, total: input + 5 }, model: 'gemini-2.5-pro' });
    fs.writeFileSync(file, line({ sessionId: 's-late', projectHash: 'cd'.repeat(32), startTime: '2026-12-07T10:00:00.000Z', kind: 'main' }) + gemini('g1', 100));
    await arrival('llm:gemini-cli:s-late#100.5.0.0.0');
    fs.appendFileSync(file, gemini('g2', 200));
    await arrival('llm:gemini-cli:s-late#200.5.0.0.0');
  });
});

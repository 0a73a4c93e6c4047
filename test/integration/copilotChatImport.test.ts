/**
 * Copilot Chat's session files (built to VS Code's format: see test/unit/copilotChatImporter.test.ts;
 * a real Copilot sign-in cannot run here) into a real store: imported with each request's tokens
 * once, priced, the session in its folder, shown as Copilot Chat; a second import reads nothing;
 * live mode reads a request's late result as VS Code appends it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { EventInput } from '../../src/core/contracts/events';
import type { IngestSink } from '../../src/core/ingest/types';
import { runImport } from '../../src/core/importers/importRunner';
import { startLogWatcher } from '../../src/core/importers/liveWatch';
import { silentLogger } from '../../src/core/log';
import { priceBook } from '../../src/core/pricing/priceTables';
import { CHAT_SESSION_ID, chatJournal } from '../helpers/copilotChatFiles';
import { bySession, openTestCore, scratchDir } from './importHelpers';

const SID = CHAT_SESSION_ID;

function userFolder(): { user: string; file: string } {
  const user = path.join(scratchDir(), 'Code', 'User');
  const ws = path.join(user, 'workspaceStorage', 'a1b2c3d4e5f6');
  fs.mkdirSync(path.join(ws, 'chatSessions'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'workspace.json'), JSON.stringify({ folder: pathToFileURL('/home/dev/app').href }));
  // Other extensions' storage beside it is not read.
  fs.mkdirSync(path.join(ws, 'GitHub.copilot-chat', 'chatSessions'), { recursive: true });
  return { user, file: path.join(ws, 'chatSessions', `${SID}.jsonl`) };
}

describe('import of Copilot Chat session files', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let user: string;
  before(async () => {
    core = await openTestCore();
    const f = userFolder();
    user = f.user;
    fs.writeFileSync(f.file, chatJournal());
  });
  after(() => core.close());

  const importOnce = () => runImport({ store: core.store, ingest: core.ingest }, { importId: 't', claudeDirs: [], codexDirs: [], copilotChatDirs: [user] });

  it('stores the finished request once with its tokens, priced, in its folder', async () => {
    const summary = await importOnce();
    assert.equal(summary.files, 1);
    assert.equal(summary.skipped_lines, 0, JSON.stringify(summary.skipped));
    const s = (await bySession(core))[SID];
    assert.deepEqual([s.tokens_in, s.tokens_out, s.cache_read_tokens, s.requests], [18234, 412, 0, 1]);
    const price = priceBook().resolve('gpt-4.1-2025-04-14')!.price;
    assert.ok(Math.abs(s.cost_usd - (18234 * price.input + 412 * price.output) / 1e6) < 1e-9);
    const sessions = await core.store.query('sessionsByIds', { now: Date.now(), idleMs: 60_000, endMs: 3_600_000, ids: [SID] });
    assert.deepEqual([sessions[0]?.agent_type, sessions[0]?.project], ['copilot-chat', '/home/dev/app']);
  });

  it('a second import reads nothing new', async () => {
    const again = await importOnce();
    assert.equal(again.files_skipped_unchanged, 1);
    assert.equal((await bySession(core))[SID].requests, 1);
  });
});

describe('live mode and Copilot Chat session files', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let watcher: ReturnType<typeof startLogWatcher>;
  let file: string;
  const seen: EventInput[] = [];
  let wake: (() => void) | null = null;

  before(async () => {
    core = await openTestCore();
    const f = userFolder();
    file = f.file;
    const sink: IngestSink = {
      ingest: async (events: EventInput[], opts) => {
        const r = await core.ingest.ingest(events, opts);
        seen.push(...events);
        wake?.();
        return r;
      },
      journalNow: (events, opts) => core.ingest.journalNow(events, opts),
    };
    watcher = startLogWatcher({ store: core.store, ingest: sink }, { claudeDirs: [], codexDirs: [], copilotChatDirs: [f.user], log: silentLogger, catchUpHours: 0 });
    await watcher.ready;
  });
  after(async () => {
    await watcher.close();
    await core.close();
  });

  const arrival = async (what: string, test: (e: EventInput) => boolean): Promise<EventInput> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const hit = seen.find(test);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`${what} never arrived; seen: ${seen.map((e) => e.event_id).join(', ')}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000).unref();
      });
    }
  };

  it('reads a new session file, then the result VS Code appends to it', async () => {
    fs.writeFileSync(file, chatJournal());
    await arrival('the first request', (e) => e.event_type === 'llm_request' && e.tokens_in === 18234);
    fs.appendFileSync(file, JSON.stringify({ kind: 1, k: ['requests', 1, 'result'], v: { metadata: { promptTokens: 20111, outputTokens: 96, resolvedModel: 'claude-sonnet-4' } } }) + '\n');
    await arrival('the second request\'s late result', (e) => e.event_type === 'llm_request' && e.tokens_in === 20111);
    assert.equal((await bySession(core))[SID].requests, 2);
  });
});

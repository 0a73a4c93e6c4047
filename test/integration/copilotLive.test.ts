/**
 * Live mode follows a Copilot CLI session as it is written: the lines of the session the real CLI
 * wrote (test/fixtures/copilot-cli) appended in three bursts (the tool call's start and its result
 * in different bursts, the resumed part last) become the same session, tokens and paired tool call
 * as a whole-file import, each counted once.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventInput } from '../../src/core/contracts/events';
import type { IngestSink } from '../../src/core/ingest/types';
import { startLogWatcher } from '../../src/core/importers/liveWatch';
import { silentLogger } from '../../src/core/log';
import { bySession, openTestCore, scratchDir } from './importHelpers';

const SID = '3f47e0f9-b021-4e70-8c71-bb39a40d860f';
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'copilot-cli', 'copilot-home', 'session-state', SID, 'events.jsonl');

describe('live mode and a Copilot CLI session', () => {
  let core: Awaited<ReturnType<typeof openTestCore>>;
  let watcher: ReturnType<typeof startLogWatcher>;
  let home: string;
  const seen = new Map<string, string[]>();
  let wake: (() => void) | null = null;

  before(async () => {
    core = await openTestCore();
    home = path.join(scratchDir(), '.copilot');
    fs.mkdirSync(path.join(home, 'session-state'), { recursive: true });
    const sink: IngestSink = {
      ingest: async (events: EventInput[], opts) => {
        for (const e of events) if (e.event_id) seen.set(e.event_id, [...(seen.get(e.event_id) ?? []), e.status ?? '']);
        wake?.();
        return core.ingest.ingest(events, opts);
      },
      journalNow: (events, opts) => core.ingest.journalNow(events, opts),
    };
    watcher = startLogWatcher({ store: core.store, ingest: sink }, { claudeDirs: [], codexDirs: [], copilotDirs: [home], log: silentLogger, catchUpHours: 0 });
    await watcher.ready;
  });
  after(async () => {
    await watcher.close();
    await core.close();
  });

  const arrival = async (id: string, status?: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!seen.get(id)?.some((s) => status === undefined || s === status)) {
      if (Date.now() > deadline) throw new Error(`${id} ${status ?? ''} never arrived; seen: ${[...seen.keys()].join(', ')}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000).unref();
      });
    }
  };

  it('reads each burst as it is appended, with the totals of a whole-file import', async () => {
    const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean).map((l) => l + '\n');
    const toolEnd = lines.findIndex((l) => l.includes('"tool.execution_complete"'));
    const resume = lines.findIndex((l) => l.includes('"session.resume"'));
    const dir = path.join(home, 'session-state', SID);
    fs.mkdirSync(dir);
    const file = path.join(dir, 'events.jsonl');
    fs.writeFileSync(file, lines.slice(0, toolEnd).join(''));
    await arrival(`llm:copilot-cli:${SID}#msg_1`);
    await arrival('tool:copilot-cli:toolu_1', 'running');
    fs.appendFileSync(file, lines.slice(toolEnd, resume).join(''));
    await arrival('tool:copilot-cli:toolu_1', 'success');
    await arrival(`session_end:copilot-cli:${SID}:${JSON.parse(lines[resume - 1]).id}`);
    fs.appendFileSync(file, lines.slice(resume).join(''));
    await arrival(`llm:copilot-cli:${SID}#msg_3`);
    await arrival(`session_end:copilot-cli:${SID}:${JSON.parse(lines[lines.length - 1]).id}`);
    const s = (await bySession(core))[SID];
    assert.deepEqual([s.tokens_in, s.cache_read_tokens, s.cache_write_tokens, s.tokens_out, s.requests], [306, 12006, 906, 66, 3]);
    const { tools } = await core.store.query('toolStats', { filter: {}, bucket: 'day', tz: 'UTC' });
    assert.deepEqual(tools.map((t) => [t.tool_name, t.calls, t.errors, t.running]), [['bash', 1, 0, 0]]);
  });
});

/**
 * Issue 18, Codex without hooks: the rollout alone says when a Codex session waits for the user.
 * The real captured rollout (`codex exec`, Codex 0.169.0) is written into a folder the live watcher
 * follows, line by line, its times moved to now: its `task_complete` ends the turn. The interactive
 * variant is the same rollout with the `session_meta` of an interactive run (`source: "cli"`,
 * originator `codex_cli_rs`: the capture has no interactive rollout); the next prompt
 * (`item_completed` UserMessage, as 0.169 writes it) clears the wait, and an interrupted turn
 * (`turn_aborted`, built from Codex's TurnAborted event: `turn_id`, `reason`) waits again. A `codex exec`
 * run has no one to answer it: its turn's end ends it. With Codex's hooks installed as well, the
 * hook's Stop and the rollout's turn end are one event.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { AttentionList, EventsPage, Session } from '../../src/core/contracts/api';
import { startLogWatcher } from '../../src/core/importers/liveWatch';
import { silentLogger } from '../../src/core/log';
import { CODEX_CAPTURE, jsonLines } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';
import { openSse, type SseClient } from '../helpers/sse';
import { scratchDir } from './importHelpers';

type Json = Record<string, unknown>;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

const CAPTURED = filesUnder(path.join(CODEX_CAPTURE, 'codex-home', 'sessions')).find((f) => /rollout-.*\.jsonl$/.test(f))!;
const SID = /([0-9a-f-]{36})\.jsonl$/.exec(CAPTURED)![1];
const FINAL = 'The project contains README.md and src/main.py.';

/** The captured rollout's lines with their times moved so that its first line is `start`. */
function rolloutLines(start: number, interactive: boolean): Json[] {
  const lines = fs.readFileSync(CAPTURED, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Json);
  const shift = start - Date.parse(String(lines[0].timestamp));
  return lines.map((l) => {
    const out: Json = { ...l, timestamp: new Date(Date.parse(String(l.timestamp)) + shift).toISOString() };
    if (interactive && l.type === 'session_meta') out.payload = { ...(l.payload as Json), source: 'cli', originator: 'codex_cli_rs' };
    return out;
  });
}

const isTurnEnd = (l: Json) => l.type === 'event_msg' && (l.payload as Json).type === 'task_complete';

async function follow(s: TestServer): Promise<{ dir: string; sse: SseClient }> {
  const home = path.join(scratchDir(), '.codex');
  const dir = path.join(home, 'sessions', '2026', '12', '07');
  fs.mkdirSync(dir, { recursive: true });
  const watcher = startLogWatcher({ store: s.core.store, ingest: s.core.ingest }, { claudeDirs: [], codexDirs: [path.join(home, 'sessions')], log: silentLogger, catchUpHours: 0 });
  after(() => watcher.close());
  await watcher.ready;
  const sse = await openSse(`${s.url}/api/stream`);
  after(() => sse.close());
  return { dir, sse };
}

const append = (file: string, lines: Json[]) => fs.appendFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''));
/** The first session_update after `from` (an index into the messages received) in `state`. */
const stateIs = (sse: SseClient, from: number, state: Session['state']) =>
  sse.waitFor('session_update', (m) => sse.messages.indexOf(m) >= from && m.session.session_id === SID && m.session.state === state, 30_000).then((m) => m.session);

test('an interactive Codex session followed live: working, waiting for input after its turn ends, working on the next prompt, waiting again after an interrupt', async () => {
  const s = await startTestServer();
  const { dir, sse } = await follow(s);
  const lines = rolloutLines(Date.now() - 60_000, true);
  const end = lines.findIndex(isTurnEnd);
  const file = path.join(dir, path.basename(CAPTURED));

  let from = sse.messages.length;
  append(file, lines.slice(0, end));
  await stateIs(sse, from, 'working');
  assert.deepEqual((await s.get<AttentionList>('/api/attention')).body.sessions, []);

  from = sse.messages.length;
  append(file, lines.slice(end));
  const waiting = await stateIs(sse, from, 'waiting_input');
  assert.equal(waiting.waiting_message, FINAL);
  assert.deepEqual((await s.get<AttentionList>('/api/attention')).body.sessions.map((x) => [x.session_id, x.state]), [[SID, 'waiting_input']]);

  // The user answers: the agent works again and leaves the attention list.
  const prompt = lines.find((l) => l.type === 'event_msg' && ((l.payload as Json).item as Json | undefined)?.type === 'UserMessage')!;
  const turn2 = 'turn-2-of-the-test';
  const now = () => new Date().toISOString();
  from = sse.messages.length;
  append(file, [
    { type: 'event_msg', timestamp: now(), payload: { type: 'task_started', turn_id: turn2 } },
    { ...prompt, timestamp: now(), payload: { ...(prompt.payload as Json), turn_id: turn2, item: { ...((prompt.payload as Json).item as Json), id: 'user-message-2', content: [{ type: 'text', text: 'and the tests?' }] } } },
  ]);
  assert.equal((await stateIs(sse, from, 'working')).waiting_since, null);
  assert.deepEqual((await s.get<AttentionList>('/api/attention')).body.sessions, []);

  // Esc: the turn is aborted and the agent waits for the next prompt.
  from = sse.messages.length;
  append(file, [{ type: 'event_msg', timestamp: now(), payload: { type: 'turn_aborted', turn_id: turn2, reason: 'interrupted' } }]);
  await stateIs(sse, from, 'waiting_input');
  const stops = (await s.get<EventsPage>(`/api/events?session_id=${SID}&event_type=stop`)).body.events;
  assert.equal(stops.length, 2, 'the finished turn and the interrupted one');
});

test('a codex exec run ends with its turn: never listed as waiting', async () => {
  const s = await startTestServer();
  const { dir, sse } = await follow(s);
  append(path.join(dir, path.basename(CAPTURED)), rolloutLines(Date.now() - 60_000, false));
  await stateIs(sse, 0, 'ended');
  assert.deepEqual((await s.get<AttentionList>('/api/attention')).body.sessions, []);
});

test("with Codex's hooks too, its Stop hook and the rollout's task_complete are one event", async () => {
  const s = await startTestServer();
  const { dir, sse } = await follow(s);
  const hook = (name: string) => jsonLines(path.join(CODEX_CAPTURE, `hooks-${name}.jsonl`))[0];
  assert.equal((await s.post('/api/hooks/codex', hook('SessionStart'))).status, 200);
  append(path.join(dir, path.basename(CAPTURED)), rolloutLines(Date.now() - 60_000, true));
  await sse.waitFor('event', (m) => m.event.session_id === SID && m.event.event_type === 'stop', 30_000);
  // The hook's Stop for the same turn comes after; SessionEnd after it shows it was applied.
  const from = sse.messages.length;
  for (const name of ['Stop', 'SessionEnd']) assert.equal((await s.post('/api/hooks/codex', hook(name))).status, 200);
  await stateIs(sse, from, 'ended');
  const stops = (await s.get<EventsPage>(`/api/events?session_id=${SID}&event_type=stop`)).body.events;
  assert.equal(stops.length, 1);
});

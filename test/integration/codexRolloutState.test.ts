/**
 * Issue 18, Codex: when a Codex session waits for the user, from its hooks and from its rollout
 * alone, on real captures of the interactive TUI (`test/fixtures/codex-interactive`: Codex 0.169.0
 * asked to run `ls -la` and `cat does-not-exist.txt`; `approved/` answered both, `denied/` pressed
 * Esc on the second) and of `codex exec` (`test/shared/fixtures/captured/codex-json`). Rollouts are
 * written into a folder the live watcher follows, their times moved to just before now.
 *
 * What the rollout says: the turn's end (`task_complete`, `turn_aborted`) makes the session wait for
 * input; it records no approval request (while Codex asked, its last line was the call with no
 * output yet), so only the PermissionRequest hook says a session waits for permission.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { AttentionList, EventsPage, Session } from '../../src/core/contracts/api';
import { startLogWatcher } from '../../src/core/importers/liveWatch';
import { silentLogger } from '../../src/core/log';
import { CODEX_CAPTURE, jsonLines, REPO_ROOT } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';
import { openSse, type SseClient } from '../helpers/sse';
import { scratchDir } from './importHelpers';

type Json = Record<string, unknown>;

const INTERACTIVE = path.join(REPO_ROOT, 'test/fixtures/codex-interactive');
const FINAL = 'The project contains README.md and src/main.py.';
/** Rollout lines written when Codex asked about `ls -la` (both interactive runs). */
const ASKED_LS = 13;

interface Capture {
  file: string;
  sid: string;
  hooks: (name: string) => Json[];
}

function capture(dir: string): Capture {
  const sessions = path.join(dir, 'sessions');
  const file = path.join(sessions, fs.readdirSync(sessions, { recursive: true }).map(String).find((f) => f.endsWith('.jsonl'))!);
  return { file, sid: /([0-9a-f-]{36})\.jsonl$/.exec(file)![1], hooks: (name) => jsonLines(path.join(dir, `hooks-${name}.jsonl`)) };
}

const APPROVED = capture(path.join(INTERACTIVE, 'approved'));
const DENIED = capture(path.join(INTERACTIVE, 'denied'));
const EXEC = capture(path.join(CODEX_CAPTURE, 'codex-home'));

/** A capture's rollout lines with their times moved so that its first line is a minute ago. */
function rolloutLines(c: Capture): Json[] {
  const lines = fs.readFileSync(c.file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Json);
  const shift = Date.now() - 60_000 - Date.parse(String(lines[0].timestamp));
  return lines.map((l) => ({ ...l, timestamp: new Date(Date.parse(String(l.timestamp)) + shift).toISOString() }));
}

interface Followed {
  s: TestServer;
  sse: SseClient;
  /** Append lines to the capture's rollout in the followed folder. */
  append(lines: Json[]): void;
  /** The first session_update from now on (after what was received) in `state`. */
  next(state: Session['state']): Promise<Session>;
}

async function follow(c: Capture): Promise<Followed> {
  const s = await startTestServer();
  const home = path.join(scratchDir(), '.codex');
  const dir = path.join(home, 'sessions', '2026', '12', '07');
  fs.mkdirSync(dir, { recursive: true });
  const watcher = startLogWatcher({ store: s.core.store, ingest: s.core.ingest }, { claudeDirs: [], codexDirs: [path.join(home, 'sessions')], log: silentLogger, catchUpHours: 0 });
  after(() => watcher.close());
  await watcher.ready;
  const sse = await openSse(`${s.url}/api/stream`);
  after(() => sse.close());
  const file = path.join(dir, path.basename(c.file));
  let mark = 0;
  return {
    s,
    sse,
    append: (lines) => {
      mark = sse.messages.length;
      fs.appendFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''));
    },
    next: (state) => {
      const from = Math.min(mark, sse.messages.length);
      mark = sse.messages.length;
      return sse.waitFor('session_update', (m) => sse.messages.indexOf(m) >= from && m.session.session_id === c.sid && m.session.state === state, 30_000).then((m) => m.session);
    },
  };
}

async function hook(f: Followed, payload: Json, state: Session['state']): Promise<Session> {
  const waiting = f.next(state);
  assert.equal((await f.s.post('/api/hooks/codex', payload)).status, 200);
  return waiting;
}

/** The next prompt, as 0.169 writes one: the captured one with another turn and item id and a time of now. */
function nextPrompt(lines: Json[]): Json {
  const prompt = lines.find((l) => ((l.payload as Json).item as Json | undefined)?.type === 'UserMessage')!;
  const p = prompt.payload as Json;
  return { ...prompt, timestamp: new Date().toISOString(), payload: { ...p, turn_id: 'turn-2', item: { ...(p.item as Json), id: 'user-message-2', content: [{ type: 'text', text: 'and the tests?' }] } } };
}

const attention = async (s: TestServer) => (await s.get<AttentionList>('/api/attention')).body.sessions.map((x) => [x.session_id, x.state, x.waiting_message]);
const stops = async (s: TestServer, sid: string) => (await s.get<EventsPage>(`/api/events?session_id=${sid}&event_type=stop`)).body.events.length;

test('Codex hooks of an interactive session: waiting for permission while asked, working once allowed, waiting for input after the answer; the rollout\'s turn end is the Stop hook\'s event', async () => {
  const c = APPROVED;
  const f = await follow(c);
  const [ls, cat] = c.hooks('PermissionRequest');
  const [lsDone, catDone] = c.hooks('PostToolUse');
  await hook(f, c.hooks('SessionStart')[0], 'idle');
  await hook(f, c.hooks('UserPromptSubmit')[0], 'working');
  assert.equal((await hook(f, ls, 'waiting_permission')).waiting_message, 'Bash: ls -la');
  assert.deepEqual(await attention(f.s), [[c.sid, 'waiting_permission', 'Bash: ls -la']]);
  await hook(f, lsDone, 'working');
  assert.deepEqual(await attention(f.s), []);
  assert.equal((await hook(f, cat, 'waiting_permission')).waiting_message, 'Bash: cat does-not-exist.txt');
  await hook(f, catDone, 'working');
  assert.equal((await hook(f, c.hooks('Stop')[0], 'waiting_input')).waiting_message, FINAL);

  // The rollout, read after the hooks: its turn's end is the Stop hook's event. A next prompt
  // appended after it shows when the watcher has read that far.
  const lines = rolloutLines(c);
  f.append([...lines, nextPrompt(lines)]);
  await f.next('working');
  assert.equal(await stops(f.s, c.sid), 1);
});

test('the rollout alone of an interactive session: working while Codex asks (no approval is written there), waiting for input after task_complete, working on the next prompt', async () => {
  const c = APPROVED;
  const f = await follow(c);
  const lines = rolloutLines(c);
  f.append(lines.slice(0, ASKED_LS));
  await f.next('working');
  assert.deepEqual(await attention(f.s), []);

  f.append(lines.slice(ASKED_LS));
  assert.equal((await f.next('waiting_input')).waiting_message, FINAL);
  assert.deepEqual(await attention(f.s), [[c.sid, 'waiting_input', FINAL]]);

  f.append([nextPrompt(lines)]);
  assert.equal((await f.next('working')).waiting_since, null);
  assert.deepEqual(await attention(f.s), []);
});

test('a denied call: the Interrupt hook and the rollout\'s turn_aborted are one stop, and the session waits for input', async () => {
  const c = DENIED;
  const f = await follow(c);
  f.append(rolloutLines(c));
  await f.next('waiting_input');
  assert.equal(await stops(f.s, c.sid), 1);
  // The hook of the same interrupt, after: the same event, stored once.
  // A later hook that says nothing about the state shows when the Interrupt hook was applied.
  const applied = f.sse.waitFor('event', (m) => m.event.session_id === c.sid && m.event.event_type === 'hook_event', 30_000);
  assert.equal((await f.s.post('/api/hooks/codex', c.hooks('Interrupt')[0])).status, 200);
  assert.equal((await f.s.post('/api/hooks/codex', c.hooks('PreModelRequest')[0])).status, 200);
  await applied;
  assert.equal(await stops(f.s, c.sid), 1);
  assert.deepEqual((await attention(f.s)).map((x) => x.slice(0, 2)), [[c.sid, 'waiting_input']]);
});

test('a codex exec run ends with its turn: never listed as waiting', async () => {
  const f = await follow(EXEC);
  f.append(rolloutLines(EXEC));
  await f.next('ended');
  assert.deepEqual(await attention(f.s), []);
});

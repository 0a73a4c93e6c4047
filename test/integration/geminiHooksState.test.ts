/**
 * Gemini CLI's hooks through real HTTP on a real server (`POST /api/hooks/gemini-cli`): the captured
 * run (`test/fixtures/gemini-cli/hooks`, its chat log written as it was when each hook ran) with a
 * permission prompt added in the shape of its source (`Notification`, `ToolPermission`, fired after
 * `BeforeTool`): the session's state follows, and its call is stored once.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { EventsPage, Session, SessionDetail } from '../../src/core/contracts/api';
import { jsonLines, REPO_ROOT, waitFor } from '../helpers/hookFixtures';
import { startTestServer, type TestServer } from '../helpers/server';
import { tmpDir } from '../helpers/tmp';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/gemini-cli/hooks');
const CHAT_NAME = 'session-2026-12-08T00-57-9c2ffafa.jsonl';
const SID = '9c2ffafa-f3e1-417c-a800-9b493b9d8957';
/** The capture's times moved to now (a state ages: a session working an hour ago shows idle). */
const shift = Date.now() - Date.parse('2026-12-08T00:57:07.295Z');
const moved = (text: string) => text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, (t) => new Date(Date.parse(t) + shift).toISOString());

async function step(s: TestServer, p: Record<string, unknown>, state: Session['state'], events: number): Promise<Session> {
  const r = await s.post('/api/hooks/gemini-cli', p);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  let seen = '';
  return waitFor(`${String(p.hook_event_name)}: state ${state} at ${events} events (${seen})`, async () => {
    const got = await s.get<SessionDetail>(`/api/sessions/${SID}`);
    seen = got.status === 200 ? `${got.body.session.state} at ${got.body.session.event_count}` : String(got.status);
    return got.status === 200 && got.body.session.state === state && got.body.session.event_count >= events ? got.body.session : null;
  }).catch(async (e: Error) => {
    const evs = await s.get<EventsPage>(`/api/events?session_id=${SID}`);
    throw new Error(`${e.message}; saw ${seen}; ${evs.body.events.map((x) => `${x.event_type}/${x.status}/${x.created_at}`).join(', ')}`);
  });
}

test('a Gemini CLI session asks for permission, is working once the call ran, waits for input at the end of its turn, ends', async () => {
  const s = await startTestServer();
  try {
    const dir = path.join(tmpDir('am-gemini-state-'), 'chats');
    fs.mkdirSync(dir);
    const chat = path.join(dir, CHAT_NAME);
    const lines = moved(fs.readFileSync(path.join(FIXTURE, 'chats', CHAT_NAME), 'utf8')).split('\n').filter(Boolean);
    const writeTo = (n: number) => fs.writeFileSync(chat, lines.slice(0, n).map((l) => `${l}\n`).join(''));
    const [start, beforeAgent, , beforeList, afterList, preCompress, , , , afterAgent, end] = jsonLines(path.join(FIXTURE, 'payloads.jsonl')).map((p) => ({ ...JSON.parse(moved(JSON.stringify(p))), transcript_path: chat }) as Record<string, unknown>);

    writeTo(2);
    await step(s, start, 'idle', 1);
    await step(s, beforeAgent, 'idle', 1);
    writeTo(6);
    await step(s, beforeList, 'working', 3);
    const permission = {
      ...beforeList,
      hook_event_name: 'Notification',
      timestamp: moved('2026-12-08T00:57:07.590Z'),
      notification_type: 'ToolPermission',
      message: 'Tool list_directory requires information',
      details: { type: 'info', title: 'list_directory' },
    };
    const asking = await step(s, permission, 'waiting_permission', 4);
    assert.equal(asking.waiting_message, 'Tool list_directory requires information');
    await step(s, afterList, 'waiting_permission', 4);
    writeTo(7);
    await step(s, preCompress, 'working', 5);
    writeTo(16);
    const done = await step(s, afterAgent, 'waiting_input', 6);
    assert.equal(done.waiting_message, 'Listing the files. The project contains README.md and src/main.py.');
    await step(s, end, 'ended', 7);
    const calls = await s.get<EventsPage>(`/api/events?session_id=${SID}&event_type=tool_use`);
    assert.deepEqual(
      calls.body.events.map((e) => [e.event_id, e.status, e.duration_ms !== null]),
      [['tool:gemini-cli:list_directory__gcall_fakefzt0001', 'success', true]],
    );
  } finally {
    await s.close();
  }
});

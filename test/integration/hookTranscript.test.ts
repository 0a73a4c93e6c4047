/**
 * A Claude Code hook names its transcript (`transcript_path`); while `serve` follows logs live, that
 * one file is tailed even outside the watched folders (issue 17), so a user whose transcripts live
 * elsewhere still gets the conversation: replies there at the first hook, and lines appended later.
 * Only a file shaped and named as that session's transcript is followed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServer } from '../../src/core/server/server';
import { startLogWatcher, hookTranscriptKind } from '../../src/core/importers/liveWatch';
import { silentLogger } from '../../src/core/log';
import { openSse } from '../helpers/sse';
import { tmpDir } from '../helpers/tmp';

const SID = 'cccccccc-1111-2222-3333-444444444444';

const reply = (req: string, text: string, at: string) =>
  JSON.stringify({ type: 'assistant', sessionId: SID, requestId: req, timestamp: at, cwd: '/p', message: { id: `msg_${req}`, model: 'claude-sonnet-4-5-20250929', content: [{ type: 'text', text }], usage: { input_tokens: 10, output_tokens: 5 } } });

describe('transcripts named by hooks', () => {
  it('only a file shaped and named as the session transcript (or its subagents, or a Codex rollout) is followed', () => {
    const ok = [
      [`/h/.claude/projects/-p/${SID}.jsonl`, 'claude'],
      [`/h/.claude/projects/-p/${SID}/subagents/agent-a5c44ff8e915123f7.jsonl`, 'claude'],
      [`/h/.codex/sessions/2026/11/24/rollout-2026-11-24T00-52-46-${SID}.jsonl`, 'codex'],
    ];
    for (const [p, kind] of ok) assert.equal(hookTranscriptKind(SID, p), kind, p);
    for (const p of [
      `/h/.claude/projects/-p/other-session.jsonl`,
      `/h/notes/${SID}.jsonl`,
      `relative/projects/-p/${SID}.jsonl`,
      `/h/.claude/projects/-p/${SID}.json`,
      `/h/.claude/projects/-p/other/subagents/agent-x.jsonl`,
      `/h/.codex/sessions/rollout-x-other.jsonl`,
      '/etc/passwd',
    ]) {
      assert.equal(hookTranscriptKind(SID, p), null, p);
    }
    assert.equal(hookTranscriptKind('../x', '/h/projects/-p/../x.jsonl'), null);
  });

  it('a hook naming a transcript outside the watched folders: its replies are stored, then what is appended', async () => {
    const dir = tmpDir();
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const watched = path.join(dir, 'claude-config');
    fs.mkdirSync(path.join(watched, 'projects'), { recursive: true });
    const file = path.join(dir, 'elsewhere', 'projects', '-p', `${SID}.jsonl`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${reply('r1', 'First reply, read at the hook.', '2026-11-24T00:00:01.000Z')}\n`);
    const s = await startServer(
      { port: 0, host: '127.0.0.1', dbPath: path.join(dir, 'agentmonitor.db'), watchLogs: true, claudeDirs: [watched], codexDirs: [], geminiDirs: [] },
      { log: silentLogger, env: { HOME: dir }, onCoreOpen: async (core) => startLogWatcher(core, { claudeDirs: [watched], codexDirs: [], geminiDirs: [], log: silentLogger, catchUpHours: 0 }) },
    );
    after(() => s.close());
    const sse = await openSse(`${s.url}/api/stream`);
    after(() => sse.close());
    const hook = (body: Record<string, unknown>) =>
      fetch(`${s.url}/api/hooks/claude-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ session_id: SID, cwd: '/p', ...body }) });
    const textOf = (m: { event: { event_type: string; metadata: unknown } }) => (m.event.event_type === 'response' ? (m.event.metadata as { text?: string } | null)?.text : undefined);

    assert.equal((await hook({ hook_event_name: 'UserPromptSubmit', prompt: 'hello', transcript_path: file })).status, 200);
    await sse.waitFor('event', (m) => textOf(m) === 'First reply, read at the hook.', 20_000);
    fs.appendFileSync(file, `${reply('r2', 'Second reply, appended later.', '2026-11-24T00:00:05.000Z')}\n`);
    await sse.waitFor('event', (m) => textOf(m) === 'Second reply, appended later.', 20_000);
    // Named again by every hook: followed once, each reply stored once.
    assert.equal((await hook({ hook_event_name: 'Stop', transcript_path: file })).status, 200);
    const page = await (await fetch(`${s.url}/api/sessions/${SID}/transcript?limit=100`)).json() as { entries: { text: string | null }[] };
    assert.deepEqual(page.entries.filter((e) => e.text?.includes('reply')).map((e) => e.text), ['First reply, read at the hook.', 'Second reply, appended later.']);
  });
});

/**
 * Claude's thinking on the session page (issue 17): imported with the reply it led to, shown
 * collapsed under "Thinking" in that reply's entry, opened on demand.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTestServer } from '../../helpers/server';
import { openSse } from '../../helpers/sse';
import { tmpDir } from '../../helpers/tmp';
import { buildWebview, launch, openPage } from './browser';

const SID = 'bbbbbbbb-1111-2222-3333-555555555555';

function transcript(): string {
  const base = { type: 'assistant', sessionId: SID, requestId: 'req_think', cwd: '/home/dev/think', timestamp: '2026-11-24T08:00:00.000Z' };
  const message = (content: unknown[]) => ({ id: 'msg_think', model: 'claude-sonnet-4-5-20250929', content, usage: { input_tokens: 40, output_tokens: 12 } });
  return [
    { type: 'user', sessionId: SID, cwd: '/home/dev/think', timestamp: '2026-11-24T07:59:59.000Z', message: { role: 'user', content: 'which file?' } },
    { ...base, message: message([{ type: 'thinking', thinking: 'The user wants the config; it lives in settings.json.' }]) },
    { ...base, message: message([{ type: 'text', text: 'It is settings.json.' }]) },
  ]
    .map((o) => JSON.stringify(o))
    .join('\n');
}

describe('thinking in the transcript (chromium)', async () => {
  buildWebview();
  const dir = tmpDir();
  const file = path.join(dir, 'projects', '-home-dev-think', `${SID}.jsonl`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${transcript()}\n`);
  const server = await startTestServer({ claudeDirs: [dir], codexDirs: [] });
  const sse = await openSse(`${server.url}/api/stream`);
  const r = await server.post<{ import_id: string }>('/api/import', { claude_dirs: [dir] });
  await sse.waitFor('import_done', (m) => m.summary.import_id === r.body.import_id, 60_000);
  sse.close();
  const browser = await launch();
  const w = await openPage(browser);

  it('the reply shows its thinking collapsed; opening it shows the text', async () => {
    await w.page.goto(`${server.url}/#/sessions/${SID}`);
    const answer = w.page.locator('[data-testid=transcript-entry][data-kind=answer]', { hasText: 'It is settings.json.' });
    await answer.waitFor();
    const thinking = answer.locator('[data-testid=transcript-thinking]');
    assert.equal(await thinking.count(), 1);
    assert.equal(await thinking.evaluate((d) => (d as HTMLDetailsElement).open), false, 'collapsed');
    assert.equal(await thinking.getByText('it lives in settings.json').isVisible(), false);
    await thinking.locator('summary').click();
    assert.equal(await thinking.getByText('The user wants the config; it lives in settings.json.').isVisible(), true);
    assert.deepEqual(w.problems, []);
  });
});

/**
 * Replies on the session page (issue 17): Claude's thinking, imported with the reply it led to,
 * shown collapsed under "Thinking" in that reply's entry, opened on demand; a reply's markdown
 * rendered (code block, list, inline code) with any markup in it shown as text; a tool call's output
 * folded under the call.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTestServer } from '../../helpers/server';
import { openSse } from '../../helpers/sse';
import { tmpDir } from '../../helpers/tmp';
import { formatUsd } from '../../../webview/lib/format';
import { buildWebview, launch, openPage, screenshot } from './browser';

const SID = 'bbbbbbbb-1111-2222-3333-555555555555';
const MARKDOWN = ['Two steps:', '', '- build with `npm run build`', '- then **test**', '', '```sh', 'npm test <img src=x onerror="window.__xss=1">', '```', 'Done <script>window.__xss=2</script>.'].join('\n');

const TOOL_OUTPUT = ['main.ts', 'util.ts <b onmouseover="window.__xss=3">bold</b>', ...Array.from({ length: 40 }, (_, i) => `file${i}.ts`)].join('\n');

function transcript(): string {
  const base = { type: 'assistant', sessionId: SID, requestId: 'req_think', cwd: '/home/dev/think', timestamp: '2026-11-24T08:00:00.000Z' };
  const message = (content: unknown[]) => ({ id: 'msg_think', model: 'claude-sonnet-4-5-20250929', content, usage: { input_tokens: 40, output_tokens: 12 } });
  return [
    { type: 'user', sessionId: SID, cwd: '/home/dev/think', timestamp: '2026-11-24T07:59:59.000Z', message: { role: 'user', content: 'which file?' } },
    { ...base, message: message([{ type: 'thinking', thinking: 'The user wants the config; it lives in settings.json.' }]) },
    { ...base, message: message([{ type: 'text', text: 'It is settings.json.' }]) },
    { ...base, requestId: 'req_md', timestamp: '2026-11-24T08:00:05.000Z', message: { ...message([{ type: 'text', text: MARKDOWN }]), id: 'msg_md' } },
    { ...base, requestId: 'req_tool', timestamp: '2026-11-24T08:00:06.000Z', message: { ...message([{ type: 'tool_use', id: 'toolu_ls', name: 'Bash', input: { command: 'ls src' } }]), id: 'msg_tool' } },
    { type: 'user', sessionId: SID, cwd: '/home/dev/think', timestamp: '2026-11-24T08:00:07.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_ls', content: TOOL_OUTPUT }] } },
  ]
    .map((o) => JSON.stringify(o))
    .join('\n');
}

describe('replies in the transcript (chromium)', async () => {
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

  it('the timeline legend, not hovered, shows the cumulative cost at the end: the session cost', async () => {
    const cost = (await server.get<{ session: { cost_usd: number } }>(`/api/sessions/${SID}`)).body.session.cost_usd;
    await w.page.waitForFunction(
      (want) => document.querySelector('[data-testid=session-timeline] .u-legend .u-series:nth-child(2) .u-value')?.textContent === want,
      formatUsd(cost),
    );
  });

  it("a tool call's output is folded under the call: its first line shown, the whole kept text on opening, as text", async () => {
    const call = w.page.locator('[data-testid=transcript-entry][data-kind=tool]', { hasText: 'ls src' });
    await call.waitFor();
    const output = call.locator('[data-testid=tool-output]');
    assert.equal(await output.evaluate((d) => (d as HTMLDetailsElement).open), false, 'folded');
    assert.match((await output.locator('summary').textContent()) ?? '', /^Output main\.ts \(42 lines\)$/);
    assert.equal(await output.locator('pre').isVisible(), false);
    await output.locator('summary').click();
    assert.equal(await output.locator('pre').textContent(), TOOL_OUTPUT);
    assert.equal(await output.locator('b').count(), 0, 'markup in an output stays text');
    assert.doesNotMatch((await call.locator('.tx-detail pre').textContent()) ?? '', /file39/, 'the details do not repeat it');
    await screenshot(w.page, 'transcript-tool-output');
    assert.deepEqual(w.problems, []);
  });

  it("a reply's markdown is rendered: list, inline code, code block; markup in it stays text", async () => {
    const md = w.page.locator('[data-testid=transcript-entry][data-kind=answer] [data-testid=markdown]', { hasText: 'Two steps:' });
    await md.waitFor();
    assert.deepEqual(await md.locator('li').allTextContents(), ['build with npm run build', 'then test']);
    assert.equal(await md.locator('li code').textContent(), 'npm run build');
    assert.equal(await md.locator('li strong').textContent(), 'test');
    assert.equal(await md.locator('pre code').textContent(), 'npm test <img src=x onerror="window.__xss=1">');
    assert.match((await md.textContent()) ?? '', /Done <script>window\.__xss=2<\/script>\./);
    assert.equal(await md.locator('img, script').count(), 0);
    await md.scrollIntoViewIfNeeded();
    await screenshot(w.page, 'transcript-markdown');
    assert.equal(await w.page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.deepEqual(w.problems, []);
  });
});

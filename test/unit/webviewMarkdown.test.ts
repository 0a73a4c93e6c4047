/**
 * The markdown of replies (issue 17): code blocks, lists, headings, inline code and bold are
 * recognised; everything else, markup included, stays text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInline, parseMarkdown } from '../../webview/lib/markdown';

test('blocks: a fenced code block keeps its lines as written, lists and headings are recognised', () => {
  const md = ['## Plan', 'Run **two** steps:', '', '- build with `npm run build`', '- test', '  (all of it)', '1. one', '2) two', '', '```ts', 'const a = "<b>x</b>";', '', '- not a list', '```', 'after'].join('\n');
  assert.deepEqual(parseMarkdown(md), [
    { t: 'h', inl: [{ t: 'text', s: 'Plan' }] },
    { t: 'p', lines: [[{ t: 'text', s: 'Run ' }, { t: 'strong', s: 'two' }, { t: 'text', s: ' steps:' }]] },
    {
      t: 'ul',
      items: [
        [{ t: 'text', s: 'build with ' }, { t: 'code', s: 'npm run build' }],
        [{ t: 'text', s: 'test' }, { t: 'text', s: ' (all of it)' }],
      ],
    },
    { t: 'ol', items: [[{ t: 'text', s: 'one' }], [{ t: 'text', s: 'two' }]] },
    { t: 'code', lang: 'ts', s: 'const a = "<b>x</b>";\n\n- not a list' },
    { t: 'p', lines: [[{ t: 'text', s: 'after' }]] },
  ]);
});

test('an unclosed fence runs to the end; markup, links and lone stars stay text', () => {
  assert.deepEqual(parseMarkdown('```\nrm -rf x\n<script>'), [{ t: 'code', lang: '', s: 'rm -rf x\n<script>' }]);
  assert.deepEqual(parseInline('<img src=x onerror=alert(1)> [a](javascript:x) 2 * 3 ** 4'), [{ t: 'text', s: '<img src=x onerror=alert(1)> [a](javascript:x) 2 * 3 ** 4' }]);
  // Code spans first: nothing inside them is markup (bold around a code span stays as written).
  assert.deepEqual(parseInline('`**not bold**` and **`code`**'), [
    { t: 'code', s: '**not bold**' },
    { t: 'text', s: ' and **' },
    { t: 'code', s: 'code' },
    { t: 'text', s: '**' },
  ]);
});

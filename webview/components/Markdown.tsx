/**
 * A reply's markdown (`lib/markdown.ts`) as elements: code blocks in `<pre>`, lists, headings as
 * bold lines (the page's own headings stay its outline). Every string is a text node.
 */
import { Fragment } from 'preact';
import type { Block, Inline } from '../lib/markdown';
import { parseMarkdown } from '../lib/markdown';

function Inlines(p: { inl: Inline[] }) {
  return (
    <>
      {p.inl.map((x, i) => (x.t === 'code' ? <code key={i}>{x.s}</code> : x.t === 'strong' ? <strong key={i}>{x.s}</strong> : x.s))}
    </>
  );
}

function BlockView(p: { b: Block }) {
  const b = p.b;
  switch (b.t) {
    case 'code':
      return (
        <pre class="md-code" data-lang={b.lang || undefined}>
          <code>{b.s}</code>
        </pre>
      );
    case 'h':
      return (
        <p class="md-h">
          <strong>
            <Inlines inl={b.inl} />
          </strong>
        </p>
      );
    case 'ul':
    case 'ol': {
      const items = b.items.map((it, i) => (
        <li key={i}>
          <Inlines inl={it} />
        </li>
      ));
      return b.t === 'ul' ? <ul class="md-list">{items}</ul> : <ol class="md-list">{items}</ol>;
    }
    case 'p':
      return (
        <p class="md-p">
          {b.lines.map((l, i) => (
            <Fragment key={i}>
              {i > 0 && <br />}
              <Inlines inl={l} />
            </Fragment>
          ))}
        </p>
      );
  }
}

export function Markdown(p: { text: string }) {
  return (
    <div class="md" data-testid="markdown">
      {parseMarkdown(p.text).map((b, i) => (
        <BlockView key={i} b={b} />
      ))}
    </div>
  );
}

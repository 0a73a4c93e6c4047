/**
 * The little markdown agents write in replies (issue 17: "markdown rendered safely"): fenced code
 * blocks, paragraphs, bullet and numbered lists, headings, inline `code` and **bold**. Parsed into
 * plain data that `components/Markdown.tsx` turns into elements; text is never markup, and links
 * stay text. Anything else shows as written.
 */
export type Inline = { t: 'text' | 'code' | 'strong'; s: string };
export type Block =
  | { t: 'code'; lang: string; s: string }
  | { t: 'p'; lines: Inline[][] }
  | { t: 'h'; inl: Inline[] }
  | { t: 'ul' | 'ol'; items: Inline[][] };

/** `code` spans first (nothing inside them is markup), then **bold** in the rest. */
export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  const bold = (text: string) => {
    const parts = text.split(/\*\*(?=\S)(.+?\S)\*\*/g);
    parts.forEach((p, i) => {
      if (p) out.push({ t: i % 2 ? 'strong' : 'text', s: p });
    });
  };
  const parts = s.split(/`([^`\n]+)`/g);
  parts.forEach((p, i) => {
    if (i % 2) out.push({ t: 'code', s: p });
    else if (p) bold(p);
  });
  return out;
}

const FENCE = /^\s{0,3}(```+|~~~+)\s*([\w+#.-]*)\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

export function parseMarkdown(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para = null as Inline[][] | null;
  let list = null as { t: 'ul' | 'ol'; items: Inline[][] } | null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      para = list = null;
      const close = fence[1];
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(close); i++) body.push(lines[i]);
      blocks.push({ t: 'code', lang: fence[2], s: body.join('\n') });
      continue;
    }
    if (!line.trim()) {
      para = list = null;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      para = list = null;
      blocks.push({ t: 'h', inl: parseInline(heading[1]) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      const t = bullet ? 'ul' : 'ol';
      if (!list || list.t !== t) {
        para = null;
        list = { t, items: [] };
        blocks.push(list);
      }
      list.items.push(parseInline(item[1]));
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      // A continuation line of the last item.
      list.items[list.items.length - 1].push(...parseInline(` ${line.trim()}`));
      continue;
    }
    list = null;
    if (!para) {
      para = [];
      blocks.push({ t: 'p', lines: para });
    }
    para.push(parseInline(line));
  }
  return blocks;
}

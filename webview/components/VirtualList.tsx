import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Changes whenever rows change (forces a render). */
  version: number;
  /** Rows added at the top since the last version: keeps the view still when scrolled down. */
  addedTop: number;
  selected: number | null;
  onSelect(i: number): void;
  onActivate(i: number): void;
  onEndReached?(): void;
  renderRow(i: number, selected: boolean): ComponentChildren;
  /** Stable key of row `i` (rows keep their DOM node when others are added above them). */
  rowKey(i: number): string | number;
  label: string;
  header?: ComponentChildren;
}

const OVERSCAN = 8;

/** A fixed-row-height virtualized list: renders only the visible rows, whatever `count` is. */
export function VirtualList(p: VirtualListProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    setHeight(el.clientHeight);
    return () => ro.disconnect();
  }, []);

  // Keep what the user looks at still when rows arrive above it. Uses the tracked scroll position:
  // reading el.scrollTop after a render would force a layout on every frame.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && p.addedTop > 0 && scrollTop > 0) {
      const next = scrollTop + p.addedTop * p.rowHeight;
      el.scrollTop = next;
      setScrollTop(next);
    }
  }, [p.version]);

  const first = Math.max(0, Math.floor(scrollTop / p.rowHeight) - OVERSCAN);
  const last = Math.min(p.count, Math.ceil((scrollTop + height) / p.rowHeight) + OVERSCAN);

  useEffect(() => {
    if (p.onEndReached && last >= p.count - OVERSCAN && p.count > 0) p.onEndReached();
  }, [last, p.count]);

  const ensureVisible = (i: number) => {
    const el = scroller.current;
    if (!el) return;
    const top = i * p.rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + p.rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + p.rowHeight - el.clientHeight;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (p.count === 0) return;
    const cur = p.selected ?? -1;
    const page = Math.max(1, Math.floor(height / p.rowHeight) - 1);
    let next: number | null = null;
    if (e.key === 'ArrowDown' || e.key === 'j') next = Math.min(p.count - 1, cur + 1);
    else if (e.key === 'ArrowUp' || e.key === 'k') next = Math.max(0, cur - 1);
    else if (e.key === 'PageDown') next = Math.min(p.count - 1, cur + page);
    else if (e.key === 'PageUp') next = Math.max(0, cur - page);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = p.count - 1;
    else if (e.key === 'Enter' && p.selected !== null) {
      e.preventDefault();
      p.onActivate(p.selected);
      return;
    }
    if (next !== null) {
      e.preventDefault();
      p.onSelect(next);
      ensureVisible(next);
    }
  };

  const rows = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <div
        key={p.rowKey(i)}
        class={`vrow${p.selected === i ? ' selected' : ''}`}
        role="row"
        aria-rowindex={i + 1}
        aria-selected={p.selected === i}
        style={{ transform: `translateY(${i * p.rowHeight}px)`, height: `${p.rowHeight}px` }}
        onClick={() => {
          p.onSelect(i);
          p.onActivate(i);
        }}
      >
        {p.renderRow(i, p.selected === i)}
      </div>,
    );
  }
  return (
    <div class="vlist" role="grid" aria-label={p.label} aria-rowcount={p.count}>
      {p.header}
      <div
        class="vlist-scroll"
        ref={scroller}
        tabIndex={0}
        onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div class="vlist-spacer" style={{ height: `${p.count * p.rowHeight}px` }}>
          {rows}
        </div>
      </div>
    </div>
  );
}

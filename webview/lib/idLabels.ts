/**
 * Short labels for ids shown side by side (the feed's Session column): the shortest ending of each
 * id, in whole `-_:./`-separated parts and at least MIN_LABEL characters, that no other id of the
 * set ends with. Ids that share a long prefix ("demo-1-live-0", "demo-1-live-1") differ at the
 * end; UUIDs differ anywhere, and their last part is enough.
 */
const MIN_LABEL = 6;
const SEP = /[-_:./]/;

/** Where each token-aligned ending of `id` starts, shortest ending first. */
function endings(id: string): number[] {
  const starts: number[] = [];
  for (let i = id.length - 1; i > 0; i--) if (SEP.test(id[i - 1]) && !SEP.test(id[i])) starts.push(i);
  starts.push(0);
  return starts;
}

export function distinctIdLabels(ids: Iterable<string>): Map<string, string> {
  const unique = [...new Set(ids)];
  const counts = new Map<string, number>();
  for (const id of unique) for (const start of endings(id)) {
    const tail = id.slice(start);
    counts.set(tail, (counts.get(tail) ?? 0) + 1);
  }
  const out = new Map<string, string>();
  for (const id of unique) {
    let label = id;
    if (unique.length > 1) {
      for (const start of endings(id)) {
        const tail = id.slice(start);
        if (start > 0 && tail.length >= MIN_LABEL && counts.get(tail) === 1) {
          label = `…${tail}`;
          break;
        }
      }
    }
    out.set(id, label);
  }
  return out;
}

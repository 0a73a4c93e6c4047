/** What webview/lib/period.ts sends as `since` for a period of `days` in a browser whose zone is UTC. */
export function browserSince(days: number): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - (days - 1))).toISOString();
}

const DAY_MS = 86_400_000;

/**
 * How long to wait at `now` until events `seedAgeMs` old and a test of up to `runMs` after them
 * all fall in one UTC day (the browser tests' zone): 0 outside the minutes around midnight.
 */
export function msUntilOneUtcDay(now: number, seedAgeMs: number, runMs: number): number {
  const into = now % DAY_MS;
  if (into >= seedAgeMs && into <= DAY_MS - runMs) return 0;
  return (into < seedAgeMs ? seedAgeMs - into : DAY_MS - into + seedAgeMs) + 1000;
}

/** Waits `msUntilOneUtcDay`, so "today" means the same for the seeds, the server and the page. */
export async function inOneUtcDay(seedAgeMs: number, runMs = 5 * 60_000): Promise<void> {
  const wait = msUntilOneUtcDay(Date.now(), seedAgeMs, runMs);
  if (!wait) return;
  console.log(`# waiting ${Math.ceil(wait / 1000)} s for the seeds and the test to fall in one UTC day`);
  await new Promise((r) => setTimeout(r, wait));
}

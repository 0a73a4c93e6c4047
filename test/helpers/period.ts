/** What webview/lib/period.ts sends as `since` for a period of `days` in a browser whose zone is UTC. */
export function browserSince(days: number): string {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - (days - 1))).toISOString();
}

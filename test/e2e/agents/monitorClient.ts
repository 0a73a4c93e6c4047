/**
 * Reads what AgentMonitor shows through its HTTP API (DESIGN §5), the way the dashboard does, with
 * bounded polling for what arrives asynchronously (hooks, OTLP export intervals).
 */
import type { EventsPage, SessionDetail, SessionsPage, Stats, Totals, TranscriptEntry, TranscriptPage } from '../../../src/core/contracts/api';
import type { StoredEvent } from '../../../src/core/contracts/events';

export async function getJson<T>(url: string, timeoutMs = 10_000): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Polls `probe` every 150 ms until it returns a value other than undefined, or fails naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

export class MonitorClient {
  constructor(readonly url: string) {}

  session(id: string): Promise<SessionDetail> {
    return getJson<SessionDetail>(`${this.url}/api/sessions/${encodeURIComponent(id)}`);
  }

  async sessionOrUndefined(id: string): Promise<SessionDetail | undefined> {
    const res = await fetch(`${this.url}/api/sessions/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`GET /api/sessions/${id} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as SessionDetail;
  }

  sessions(query = ''): Promise<SessionsPage> {
    return getJson<SessionsPage>(`${this.url}/api/sessions?limit=200${query ? `&${query}` : ''}`);
  }

  /** The session page's transcript, oldest first (pages followed, at most 20). */
  async transcript(id: string): Promise<TranscriptEntry[]> {
    const out: TranscriptEntry[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 20; page++) {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const body: TranscriptPage = await getJson<TranscriptPage>(`${this.url}/api/sessions/${encodeURIComponent(id)}/transcript?limit=500${q}`);
      out.push(...body.entries);
      if (!body.next_cursor) return out.sort((a, b) => a.id - b.id);
      cursor = body.next_cursor;
    }
    throw new Error('more than 20 pages of transcript');
  }

  stats(): Promise<Stats> {
    return getJson<Stats>(`${this.url}/api/stats`);
  }

  /** Every stored event matching the filters, oldest first (pages followed, at most 50). */
  async events(filters: Record<string, string | string[]>): Promise<StoredEvent[]> {
    const params = new URLSearchParams({ limit: '500' });
    for (const [k, v] of Object.entries(filters)) params.set(k, Array.isArray(v) ? v.join(',') : v);
    const out: StoredEvent[] = [];
    for (let page = 0; page < 50; page++) {
      const body = await getJson<EventsPage>(`${this.url}/api/events?${params.toString()}`);
      out.push(...body.events);
      if (!body.next_cursor) return out.sort((a, b) => a.id - b.id);
      params.set('cursor', body.next_cursor);
    }
    throw new Error('more than 50 pages of events');
  }
}

/** The token and cost fields of a totals object, for deepEqual comparisons. */
export function tokenTotals(t: Totals): Omit<Totals, 'cost_usd' | 'unpriced_tokens'> {
  return { tokens_in: t.tokens_in, tokens_out: t.tokens_out, cache_read_tokens: t.cache_read_tokens, cache_write_tokens: t.cache_write_tokens };
}

export function sumTotals(list: Totals[]): Totals {
  const out: Totals = { tokens_in: 0, tokens_out: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0 };
  for (const t of list) {
    out.tokens_in += t.tokens_in;
    out.tokens_out += t.tokens_out;
    out.cache_read_tokens += t.cache_read_tokens;
    out.cache_write_tokens += t.cache_write_tokens;
    out.cost_usd += t.cost_usd;
  }
  return out;
}

/** Money equal to the micro-dollar rounding both sides may apply. */
export function sameMoney(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9 + 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}

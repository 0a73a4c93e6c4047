/**
 * "AgentMonitor: Search Sessions" (issue 17): the hits of `GET /api/search` as quick-pick items,
 * each opening its session in the dashboard at that event. Pure.
 */
import type { SearchHit, SearchPage } from '../../core/contracts/api';
import type { DashboardTarget } from '../../core/contracts/webview';

/** The server's bound on `q`. */
export const MAX_SEARCH_QUERY = 200;

export interface SearchPickItem {
  label: string;
  description: string;
  detail: string;
  target: DashboardTarget;
}

const KIND_LABEL: Record<SearchHit['kind'], string> = { prompt: 'Prompt', answer: 'Answer', tool: 'Tool', file: 'File' };

function isHit(h: unknown): h is SearchHit {
  const x = h as Partial<SearchHit> | null;
  return !!x && typeof x.session_id === 'string' && typeof x.event_id === 'number' && typeof x.at === 'string' && typeof x.snippet === 'string' && typeof x.kind === 'string' && x.kind in KIND_LABEL;
}

/** Why a query cannot be sent, or null when it can (the input box's validation). */
export function searchQueryProblem(q: string): string | null {
  const t = q.trim();
  if (!t) return 'Type the words to search for';
  if (t.length > MAX_SEARCH_QUERY) return `At most ${MAX_SEARCH_QUERY} characters`;
  if (!/[\p{L}\p{N}]/u.test(t)) return 'Type a word (letters or digits)';
  return null;
}

/** Quick-pick items of a search answer; null when the body is not one. */
export function searchPickItems(body: unknown): { items: SearchPickItem[]; more: boolean } | null {
  const page = body as Partial<SearchPage> | null;
  if (!page || !Array.isArray(page.results)) return null;
  const items = page.results.filter(isHit).map((h) => ({
    label: h.snippet,
    description: `${KIND_LABEL[h.kind]} · session ${h.session_id}`,
    detail: new Date(h.at).toLocaleString(),
    target: { view: 'sessions' as const, session_id: h.session_id, event_id: h.event_id },
  }));
  return { items, more: typeof page.next_cursor === 'string' };
}

/**
 * Search across sessions (issue 17): a search form in the top bar asks `GET /api/search` and lists
 * the hits under it; each hit is a link to its session's page at that event
 * (`#/sessions/<id>?event=<n>`), where the transcript shows and marks it. Snippets are text, never
 * markup.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SearchHit } from '../../src/core/contracts/api';
import { routeHash } from '../data/appState';
import { formatDateTime, shortId } from '../lib/format';
import { useApp } from './appContext';

const PAGE = 20;
/** The server's bound on `q`. */
const MAX_QUERY = 200;

const KIND_LABEL: Record<SearchHit['kind'], string> = { prompt: 'Prompt', answer: 'Answer', tool: 'Tool', file: 'File' };

interface Results {
  q: string;
  hits: SearchHit[];
  cursor: string | null;
  loading: boolean;
  error: string | null;
}

export function SearchBox() {
  const app = useApp();
  const [text, setText] = useState('');
  const [results, setResults] = useState<Results | null>(null);
  const generation = useRef(0);
  const root = useRef<HTMLDivElement>(null);

  const run = async (q: string, cursor: string | null) => {
    const gen = ++generation.current;
    setResults((r) => ({ q, hits: cursor && r ? r.hits : [], cursor, loading: true, error: null }));
    try {
      const page = await app.ds.get('/api/search', { q, limit: PAGE, cursor: cursor ?? undefined });
      if (gen !== generation.current) return;
      setResults((r) => ({ q, hits: [...(cursor && r ? r.hits : []), ...page.results], cursor: page.next_cursor, loading: false, error: null }));
    } catch (e) {
      if (gen !== generation.current) return;
      setResults((r) => ({ q, hits: r?.hits ?? [], cursor: null, loading: false, error: (e as Error).message }));
    }
  };

  const close = () => {
    generation.current++;
    setResults(null);
  };

  // A hit opened (or any other page): the list closes.
  useEffect(() => {
    const onHash = () => close();
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const q = text.trim();
    if (!q) close();
    else void run(q, null);
  };

  return (
    <div
      class="search"
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && results) {
          e.preventDefault();
          close();
          root.current?.querySelector<HTMLInputElement>('input')?.focus();
        }
      }}
    >
      <form role="search" onSubmit={onSubmit}>
        <input
          type="search"
          class="search-input"
          data-testid="search-input"
          aria-label="Search sessions: prompts, answers, tool inputs, file paths"
          placeholder="Search sessions…"
          maxLength={MAX_QUERY}
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="btn">
          Search
        </button>
      </form>
      {results && (
        <div class="search-results" data-testid="search-results" role="region" aria-label={`Search results for ${results.q}`}>
          <div class="search-results-head">
            <span role="status">
              {results.loading ? 'Searching…' : results.error ? '' : results.hits.length === 0 ? `No matches for “${results.q}”` : `Matches for “${results.q}”`}
            </span>
            <button type="button" class="btn" onClick={close}>
              Close
            </button>
          </div>
          {results.error && <p class="error-note">Search failed: {results.error}</p>}
          {results.hits.length > 0 && (
            <ul class="search-hits">
              {results.hits.map((h) => (
                <li key={h.event_id}>
                  <a href={routeHash({ view: 'sessions', sessionId: h.session_id, eventId: h.event_id })} data-testid="search-hit" data-session={h.session_id}>
                    <span class="search-hit-head">
                      <span class={`badge badge-kind-${h.kind}`}>{KIND_LABEL[h.kind]}</span>
                      <span class="muted">
                        {formatDateTime(h.at)} · session {shortId(h.session_id, 12)}
                      </span>
                    </span>
                    <span class="search-snippet">{h.snippet}</span>
                  </a>
                </li>
              ))}
            </ul>
          )}
          {results.cursor && (
            <button type="button" class="btn" disabled={results.loading} onClick={() => void run(results.q, results.cursor)}>
              More results
            </button>
          )}
        </div>
      )}
    </div>
  );
}

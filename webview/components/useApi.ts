import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ApiGetQuery, ApiGetResponses, ApiGetRoute } from '../../src/core/contracts/apiRoutes';
import { ApiRequestError } from '../data/dataSource';
import { useApp } from './appContext';

export interface ApiState<T> {
  data: T | null;
  error: string | null;
  /** The HTTP status of the failed request (404: no such thing; 0: server unreachable), else null. */
  errorStatus?: number | null;
  loading: boolean;
}

const MIN_REFRESH_MS = 3000;

/**
 * Fetch the route `path` with `query` (path parameters included); refetch when they change and, at most
 * every few seconds, when the server's aggregates change (stats messages, resync). Keeps showing
 * the last data while refetching.
 */
export function useApi<R extends ApiGetRoute>(path: R | null, query?: ApiGetQuery<R>, live = true): ApiState<ApiGetResponses[R]> {
  type T = ApiGetResponses[R];
  const app = useApp();
  const key = path ? `${path}${JSON.stringify(query ?? {})}` : '';
  // A recent answer to the same question, with nothing written since, is shown at once.
  const reuse = () => (path ? app.answers.fresh<T>(key, app.dataTick.peek()) : null);
  const [state, setState] = useState<ApiState<T>>(() => {
    const hit = reuse();
    return hit ? { data: hit.data, error: null, loading: false } : { data: null, error: null, loading: !!path };
  });
  const tick = live ? app.dataTick.value : 0;
  const r = useRef({ key: '', at: 0, seq: 0, mounted: true, timer: null as ReturnType<typeof setTimeout> | null });

  useEffect(() => () => {
    r.current.mounted = false;
  }, []);

  // A layout effect: the request leaves before the view's first paint, not a frame after it.
  useLayoutEffect(() => {
    if (!path) return;
    const run = () => {
      const seq = ++r.current.seq;
      const askedAt = app.dataTick.peek();
      const generation = app.answers.generation();
      r.current.at = Date.now();
      r.current.timer = null;
      setState((s) => (s.loading ? s : { ...s, loading: true }));
      app.asking++;
      app.ds.get(path, query).finally(() => app.asking--).then(
        (data) => {
          app.answers.keep(key, data, askedAt, r.current.at, generation);
          if (r.current.mounted && seq === r.current.seq) setState({ data, error: null, loading: false });
        },
        (e: Error) =>
          r.current.mounted &&
          seq === r.current.seq &&
          setState((s) => ({ data: s.data, error: e.message, errorStatus: e instanceof ApiRequestError ? e.status : null, loading: false })),
      );
    };
    if (r.current.key !== key) {
      const first = r.current.key === '';
      r.current.key = key;
      if (r.current.timer) clearTimeout(r.current.timer);
      const hit = reuse();
      if (hit) {
        r.current.at = hit.at;
        if (!first) setState({ data: hit.data, error: null, loading: false });
      } else {
        if (!first) setState({ data: null, error: null, loading: true });
        run();
      }
    } else if (!r.current.timer) {
      r.current.timer = setTimeout(run, Math.max(0, r.current.at + MIN_REFRESH_MS - Date.now()));
    }
  }, [key, tick]);
  useEffect(() => () => {
    if (r.current.timer) clearTimeout(r.current.timer);
  }, []);
  return state;
}

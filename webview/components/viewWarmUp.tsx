/**
 * The first switch to a view in a page pays for compiling the view's code (and uPlot's) and for its
 * first answers. While the page is idle after it has shown its first view, each view the user has
 * not opened yet is rendered once, one at a time, into an element that is never attached to the
 * document (no duplicate ids, nothing for assistive technology, no layout), and unmounted once its
 * answers are in (`answerCache.ts` keeps them for the real switch while nothing changes).
 */
import type { ComponentType } from 'preact';
import { render } from 'preact';
import type { DashboardView } from '../../src/core/contracts/webview';
import type { AppState } from '../data/appState';
import { AppContext } from './appContext';

/** A warmed view stays mounted until no answer is awaited for two checks this far apart (charts are drawn by then)… */
const SETTLED_CHECK_MS = 60;
/** …and at most this long. */
const MOUNTED_MAX_MS = 5000;
/** First wait after the page's first data, so its own requests and paint come first. */
const START_AFTER_MS = 500;

type IdleRequest = (cb: () => void, opts: { timeout: number }) => number;

function whenIdle(cb: () => void): void {
  const ric = (globalThis as { requestIdleCallback?: IdleRequest }).requestIdleCallback;
  if (ric) ric(cb, { timeout: 2000 });
  else setTimeout(cb, 50);
}

/** Warm `views` (those not shown yet) one after another while the page is idle. */
export function warmViewsWhenIdle(app: AppState, views: [DashboardView, ComponentType][]): void {
  const seen = new Set<DashboardView>();
  const queue = [...views];
  const next = (): void => {
    seen.add(app.route.peek().view);
    let item = queue.shift();
    while (item && seen.has(item[0])) item = queue.shift();
    if (!item) return;
    const View = item[1];
    whenIdle(() => {
      const box = document.createElement('div');
      try {
        render(
          <AppContext.Provider value={app}>
            <View />
          </AppContext.Provider>,
          box,
        );
      } catch {
        /* a view that cannot render detached is just not warmed */
      }
      const until = Date.now() + MOUNTED_MAX_MS;
      let quiet = 0;
      const check = () => {
        quiet = app.asking === 0 ? quiet + 1 : 0;
        if (quiet < 2 && Date.now() < until) return void setTimeout(check, SETTLED_CHECK_MS);
        render(null, box);
        next();
      };
      setTimeout(check, SETTLED_CHECK_MS);
    });
  };
  setTimeout(next, START_AFTER_MS);
}

import type { ComponentType } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { DashboardView } from '../src/core/contracts/webview';
import { useApp } from './components/appContext';
import { SearchBox } from './components/SearchBox';
import { routeHash } from './data/appState';
import { trackStaleSince } from './data/staleness';
import { applyThemeChoice, themeChoice, type ThemeChoice } from './lib/theme';
import { Costs } from './views/Costs';
import { Feed, isTyping } from './views/Feed';
import { OverBudget, Overview, overBudget } from './views/Overview';
import { SessionPage } from './views/SessionPage';
import { Sessions } from './views/Sessions';
import { Tools } from './views/Tools';
import { dailyBudget, Usage } from './views/Usage';
import { formatTime, formatUsd } from './lib/format';

const NAV: { view: DashboardView; label: string }[] = [
  { view: 'overview', label: 'Overview' },
  { view: 'feed', label: 'Live feed' },
  { view: 'costs', label: 'Costs' },
  { view: 'tools', label: 'Tools' },
  { view: 'sessions', label: 'Sessions' },
  { view: 'usage', label: 'Usage' },
];

/** Views rendered once while the page is idle, so that their first switch is not their first render (`viewWarmUp.tsx`). */
export const WARMED_VIEWS: [DashboardView, ComponentType][] = [
  ['costs', Costs],
  ['tools', Tools],
  ['sessions', Sessions],
  ['usage', Usage],
];

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };

function ThemeToggle() {
  const choice = themeChoice.value;
  return (
    <button type="button" class="btn" data-testid="theme-toggle" onClick={() => applyThemeChoice(NEXT_THEME[choice])} aria-label={`Theme: ${choice}. Switch to ${NEXT_THEME[choice]}`}>
      Theme: {choice}
    </button>
  );
}

function ConnectionBadge() {
  const app = useApp();
  const c = app.ds.connection.value;
  const text = c === 'connected' ? 'live' : c === 'connecting' ? 'connecting…' : 'disconnected';
  return (
    <span class={`conn conn-${c}`} role="status" data-testid="connection">
      {text}
    </span>
  );
}

/** Over numbers that stopped updating: since when, until the live connection is back. */
function StaleBanner() {
  const app = useApp();
  const stale = useMemo(() => trackStaleSince(app.ds.connection), [app]);
  useEffect(() => stale.dispose, [stale]);
  const since = stale.since.value;
  return (
    <div class="stale-region" role="status">
      {since !== null && (
        <p class="stale-banner" data-testid="stale-banner">
          <strong>Not live:</strong> the server cannot be reached. What is shown is as of {formatTime(new Date(since).toISOString())} and may be out of date; it
          updates once the connection is back.
        </p>
      )}
    </div>
  );
}

/** Views whose page has its own `h1`; the others get one from the shell. */
const OWN_H1: readonly DashboardView[] = ['sessions'];

function View() {
  const app = useApp();
  const r = app.route.value;
  switch (r.view) {
    case 'overview':
      return <Overview />;
    case 'feed':
      return <Feed />;
    case 'costs':
      return <Costs />;
    case 'tools':
      return <Tools />;
    case 'sessions':
      return r.sessionId ? <SessionPage sessionId={r.sessionId} eventId={r.eventId ?? null} /> : <Sessions />;
    case 'usage':
      return <Usage />;
    default: {
      const never: never = r.view;
      return never;
    }
  }
}

export function App() {
  const app = useApp();
  const route = app.route.value;
  const stats = app.stats.value;
  const budget = dailyBudget.value;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      const n = Number(e.key);
      if (n >= 1 && n <= NAV.length) {
        e.preventDefault();
        location.hash = routeHash({ view: NAV[n - 1].view, sessionId: null });
      } else if (e.key === '/') {
        // The view's own filter first; else the search across sessions in the top bar.
        const target = document.querySelector<HTMLElement>('main input[type=search], main select') ?? document.querySelector<HTMLElement>('[data-testid=search-input]');
        if (target) {
          e.preventDefault();
          target.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Focus follows a view switch; on load it stays at the top, where the first Tab finds the skip link.
  const firstRoute = useRef(true);
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main')?.focus({ preventScroll: true });
  }, [route.view, route.sessionId]);

  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">AgentMonitor</span>
        <nav aria-label="Views">
          <ul>
            {NAV.map((n, i) => (
              <li key={n.view}>
                <a href={routeHash({ view: n.view, sessionId: null })} aria-current={route.view === n.view ? 'page' : undefined} aria-keyshortcuts={String(i + 1)} data-view={n.view}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <SearchBox />
        <span class="topbar-right">
          {stats &&
            (overBudget(stats.today.cost_usd, budget) ? (
              <OverBudget todayCost={stats.today.cost_usd} budget={budget} where="header" />
            ) : (
              <span class="muted" title={budget ? 'Cost today and the daily budget' : 'Cost today'} data-testid="header-today">
                today {formatUsd(stats.today.cost_usd)}
                {budget ? ` of ${formatUsd(budget)}` : ''}
              </span>
            ))}
          <ConnectionBadge />
          {app.initial.host === 'browser' && <ThemeToggle />}
        </span>
      </header>
      <StaleBanner />
      <main id="main" tabIndex={-1} data-view={route.view}>
        {!OWN_H1.includes(route.view) && <h1 class="sr-only">{NAV.find((n) => n.view === route.view)?.label}</h1>}
        <View />
      </main>
    </div>
  );
}

import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles/app.css';
import { INITIAL_STATE_ELEMENT_ID, type DashboardInitialState } from '../src/core/contracts/webview';
import { App, WARMED_VIEWS } from './App';
import { AppContext } from './components/appContext';
import { warmViewsWhenIdle } from './components/viewWarmUp';
import { AppState } from './data/appState';
import type { DataSource } from './data/dataSource';
import { HttpDataSource } from './data/httpDataSource';
import { startRouter } from './data/router';
import { VscodeDataSource, type VscodeApi } from './data/vscodeDataSource';
import { initTheme } from './lib/theme';

declare function acquireVsCodeApi(): VscodeApi;

function readInitialState(): DashboardInitialState {
  const el = document.getElementById(INITIAL_STATE_ELEMENT_ID);
  try {
    if (el?.textContent) return JSON.parse(el.textContent) as DashboardInitialState;
  } catch {
    /* fall through */
  }
  return { host: typeof acquireVsCodeApi === 'function' ? 'vscode' : 'browser', version: '' };
}

function boot(): void {
  const initial = readInitialState();
  const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : null;
  const bridge = vscode ? new VscodeDataSource(vscode) : null;
  const ds: DataSource = bridge ?? new HttpDataSource();
  initTheme(vscode ? 'vscode' : 'browser');
  const app = new AppState(ds, { ...initial, host: vscode ? 'vscode' : 'browser' });

  startRouter(app, vscode, bridge);

  render(
    <AppContext.Provider value={app}>
      <App />
    </AppContext.Provider>,
    document.getElementById('app')!,
  );
  ds.start();
  void app.refresh().then(() => warmViewsWhenIdle(app, WARMED_VIEWS));
}

boot();

/**
 * The dashboard webview panel: strict CSP (nonce, styles from files only), resources only from
 * `dist/` and `media/`, a serializer so it survives reloads, and the host side of the typed
 * protocol in `contracts/webview.ts`. Pushes SSE messages only while visible; `resync` when it
 * becomes visible again after missing some. An explicit target (`show`) wins over the location the
 * page restores (protocol rule 4).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { LiveConnection } from '../api/liveConnection';
import {
  DASHBOARD_ASSETS,
  DASHBOARD_VIEWS,
  isWebviewToHost,
  type ApiQuery,
  type DashboardInitialState,
  type DashboardOpenRequest,
  type DashboardTarget,
  type HostToWebview,
  type WebviewToHost,
} from '../../core/contracts/webview';
import { renderDashboardHtml } from '../../core/dashboardHtml';
import { VERSION } from '../../core/version';
import { DASHBOARD_PANEL_TYPE } from '../ids';
import { Disposable, toDisposable } from '../lifecycle';

const FALLBACK_SCRIPT = 'bridgeView.js';
const MAX_SAVE_BYTES = 200 * 1024 * 1024;

export class DashboardPanelHost extends Disposable {
  private panel: vscode.WebviewPanel | null = null;
  private panelDisposables: vscode.Disposable[] = [];
  private ready = false;
  private missed = false;
  /** The open request the page's HTML carries (the webview restores its own location otherwise). */
  private request: DashboardOpenRequest | null = null;
  /** The server URL the page's HTML carries (its setup text shows it). */
  private renderedUrl = '';

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly live: LiveConnection,
    /** The server URL of the settings, for a page rendered before the connection names one. */
    private readonly configuredUrl: () => string,
  ) {
    super();
    this._register(toDisposable(() => this.disposePanel()));
  }

  register(): this {
    this._register(
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_PANEL_TYPE, {
        // The page restores its own location from its state (`DashboardWebviewState`).
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel) => {
          this.attach(panel, null);
        },
      }),
    );
    this._register(this.live.onMessage((message) => this.post({ type: 'sse', message })));
    this._register(this.live.onDidChangeStatus(() => this.postConnection()));
    return this;
  }

  get isOpen(): boolean {
    return this.panel !== null;
  }

  get isVisible(): boolean {
    return !!this.panel?.visible;
  }

  /** Opens or reveals the panel; a target, if any, is shown whatever the page showed before. */
  show(target: DashboardTarget = {}): void {
    const t = sanitizeTarget(target);
    const request: DashboardOpenRequest | null = t.view || t.session_id ? { ...t, request_id: randomUUID() } : null;
    if (this.panel) {
      if (request) {
        // A loaded, visible page navigates in place; a hidden one is not loaded (its context is
        // not retained), so it gets the request in its HTML.
        if (this.ready && this.panel.visible) this.send({ type: 'navigate', request });
        else {
          this.request = request;
          this.render();
        }
      }
      this.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_PANEL_TYPE, 'AgentMonitor', vscode.ViewColumn.Active, this.webviewOptions());
    this.attach(panel, request);
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel, request: DashboardOpenRequest | null): void {
    this.disposePanel();
    this.panel = panel;
    this.request = request;
    panel.webview.options = this.webviewOptions();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'extension', 'icon.svg');
    this.panelDisposables.push(
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = null;
          for (const d of this.panelDisposables) d.dispose();
          this.panelDisposables = [];
        }
      }),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.ready && this.missed) {
          this.missed = false;
          this.postConnection();
          this.post({ type: 'resync' });
        }
      }),
      panel.webview.onDidReceiveMessage((msg: unknown) => {
        if (isWebviewToHost(msg)) void this.onMessage(msg);
      }),
    );
    this.render();
  }

  private render(): void {
    const panel = this.panel;
    if (!panel) return;
    this.ready = false;
    this.missed = false;
    const webview = panel.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const hasApp = fs.existsSync(vscode.Uri.joinPath(dist, DASHBOARD_ASSETS.script).fsPath);
    const scriptUri = hasApp ? vscode.Uri.joinPath(dist, DASHBOARD_ASSETS.script) : vscode.Uri.joinPath(this.extensionUri, 'media', 'extension', FALLBACK_SCRIPT);
    const styles = [vscode.Uri.joinPath(dist, DASHBOARD_ASSETS.style), vscode.Uri.joinPath(this.extensionUri, 'media', 'extension', 'bridgeView.css')]
      .filter((u, i) => (i === 0 ? hasApp : !hasApp) && fs.existsSync(u.fsPath))
      .map((u) => webview.asWebviewUri(u).toString());
    this.renderedUrl = this.live.status.url ?? this.configuredUrl();
    const initialState: DashboardInitialState = {
      host: 'vscode',
      version: VERSION,
      ...(this.request ? { open_request: this.request } : {}),
      server_url: this.renderedUrl,
    };
    webview.html = renderDashboardHtml({
      nonce: randomBytes(18).toString('base64url'),
      scriptUrl: webview.asWebviewUri(scriptUri).toString(),
      styleUrls: styles,
      cspSource: webview.cspSource,
      connectSrc: "'none'",
      initialState,
    });
  }

  private async onMessage(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.missed = false;
        this.postConnection();
        return;
      case 'api_get':
        return this.answerGet(msg.request_id, msg.path, msg.query);
      case 'save_file':
        return this.saveFile(msg.filename, msg.content);
      case 'open_external': {
        let uri: vscode.Uri;
        try {
          uri = vscode.Uri.parse(msg.url, true);
        } catch {
          return;
        }
        if (uri.scheme === 'https' || uri.scheme === 'http') void vscode.env.openExternal(uri);
        return;
      }
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  private async answerGet(requestId: number, path: string, query: ApiQuery | undefined): Promise<void> {
    const api = this.live.client;
    if (!api) {
      this.send({ type: 'api_response', request_id: requestId, ok: false, status: 503, error: 'not connected to the AgentMonitor server' });
      return;
    }
    try {
      const r = await api.get(path, query);
      this.send(
        r.error === undefined
          ? { type: 'api_response', request_id: requestId, ok: true, status: r.status, body: r.body }
          : { type: 'api_response', request_id: requestId, ok: false, status: r.status, error: r.error },
      );
    } catch (err) {
      this.send({ type: 'api_response', request_id: requestId, ok: false, status: 0, error: (err as Error).message });
    }
  }

  private async saveFile(filename: string, content: string): Promise<void> {
    if (content.length > MAX_SAVE_BYTES) {
      void vscode.window.showErrorMessage('AgentMonitor: the export is too large to save from the dashboard; use "AgentMonitor: Export Data".');
      return;
    }
    // eslint-disable-next-line no-control-regex -- control characters are what a file name must not hold
    const safeName = filename.replace(/[\\/:*?"<>|\x00-\x1f]/g, '_').slice(0, 200) || 'agentmonitor-export';
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const uri = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(base, safeName) });
    if (!uri) return;
    await vscode.workspace.fs.writeFile(uri, Buffer.from(content, 'utf8'));
    void vscode.window.showInformationMessage(`AgentMonitor: saved ${uri.fsPath}`);
  }

  private postConnection(): void {
    const s = this.live.status;
    // The server moved (a port change): the page's setup text names the old URL, so it is loaded
    // again with the new one (it restores its own location).
    if (this.panel && s.url && s.url !== this.renderedUrl) {
      this.render();
      return;
    }
    this.post({ type: 'connection', state: s.state, ...(s.url ? { server_url: s.url } : {}), ...(s.message ? { message: s.message } : {}) });
  }

  /** Live pushes: only to a visible, ready panel; otherwise remember that a resync is due. */
  private post(msg: HostToWebview): void {
    if (!this.panel || !this.ready) return;
    if (!this.panel.visible) {
      this.missed = true;
      return;
    }
    void this.panel.webview.postMessage(msg);
  }

  /** Answers to requests go out even while hidden, so no request is left hanging. */
  private send(msg: HostToWebview): void {
    if (this.panel) void this.panel.webview.postMessage(msg);
  }

  private disposePanel(): void {
    const p = this.panel;
    this.panel = null;
    for (const d of this.panelDisposables) d.dispose();
    this.panelDisposables = [];
    p?.dispose();
  }
}

function sanitizeTarget(t: DashboardTarget): DashboardTarget {
  const out: DashboardTarget = {};
  if (t.view && (DASHBOARD_VIEWS as readonly string[]).includes(t.view)) out.view = t.view;
  if (typeof t.session_id === 'string' && t.session_id.length <= 256) out.session_id = t.session_id;
  if (out.session_id && typeof t.event_id === 'number' && Number.isSafeInteger(t.event_id) && t.event_id > 0) out.event_id = t.event_id;
  return out;
}

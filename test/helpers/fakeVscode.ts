/**
 * The few `vscode` APIs the dashboard panel host and the dashboard commands use, for unit tests in
 * plain Node: webview panels whose HTML and posted messages are recorded, scripted input boxes and
 * quick picks (`fakeUi`). `installFakeVscode()` makes `import 'vscode'`
 * resolve to this module (the real one exists only inside the editor).
 */
import Module from 'node:module';
import * as path from 'node:path';

export interface FakeWebviewPanel {
  webview: { html: string; options: unknown; cspSource: string; posted: unknown[]; asWebviewUri(u: FakeUri): FakeUri; postMessage(m: unknown): Promise<boolean>; onDidReceiveMessage(cb: (m: unknown) => void): { dispose(): void } };
  visible: boolean;
  iconPath?: unknown;
  reveal(): void;
  dispose(): void;
  onDidDispose(cb: () => void): { dispose(): void };
  onDidChangeViewState(cb: () => void): { dispose(): void };
  /** What the page sends to the host. */
  receive(m: unknown): void;
}

class FakeUri {
  constructor(readonly fsPath: string) {}
  static file(p: string): FakeUri {
    return new FakeUri(p);
  }
  static joinPath(base: FakeUri, ...parts: string[]): FakeUri {
    return new FakeUri(path.join(base.fsPath, ...parts));
  }
  static parse(s: string): FakeUri {
    return new FakeUri(s);
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

const none = { dispose() {} };
export const panels: FakeWebviewPanel[] = [];

function createWebviewPanel(): FakeWebviewPanel {
  let onMessage: (m: unknown) => void = () => {};
  let onDispose: () => void = () => {};
  const panel: FakeWebviewPanel = {
    webview: {
      html: '',
      options: {},
      cspSource: 'vscode-resource:',
      posted: [],
      asWebviewUri: (u) => u,
      postMessage: async (m) => {
        panel.webview.posted.push(m);
        return true;
      },
      onDidReceiveMessage: (cb) => ((onMessage = cb), none),
    },
    visible: true,
    reveal() {},
    dispose: () => onDispose(),
    onDidDispose: (cb) => ((onDispose = cb), none),
    onDidChangeViewState: () => none,
    receive: (m) => onMessage(m),
  };
  panels.push(panel);
  return panel;
}

/**
 * Scripted answers of the input box and quick pick, the messages shown, and the registered
 * command handlers (a test sets `inputBox` / `quickPick` and runs a handler).
 */
export const fakeUi = {
  inputBox: async (_options: unknown): Promise<string | undefined> => undefined,
  quickPick: async (_items: readonly unknown[], _options: unknown): Promise<unknown> => undefined,
  messages: [] as { level: 'info' | 'warning' | 'error'; text: string }[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
};

export const fakeVscode = {
  Uri: FakeUri,
  ViewColumn: { Active: -1 },
  window: {
    createWebviewPanel,
    registerWebviewPanelSerializer: () => none,
    showErrorMessage: async (text: string) => void fakeUi.messages.push({ level: 'error', text }),
    showWarningMessage: async (text: string) => void fakeUi.messages.push({ level: 'warning', text }),
    showInformationMessage: async (text: string) => void fakeUi.messages.push({ level: 'info', text }),
    showSaveDialog: async () => undefined,
    showInputBox: (options: unknown) => fakeUi.inputBox(options),
    showQuickPick: (items: readonly unknown[], options: unknown) => fakeUi.quickPick(items, options),
  },
  commands: {
    registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => (fakeUi.commands.set(id, fn), none),
  },
  env: { openExternal: async () => true },
  workspace: { workspaceFolders: undefined, fs: { writeFile: async () => {} } },
};

let installed = false;

/** From now on, `require('vscode')` answers `fakeVscode`. */
export function installFakeVscode(): void {
  if (installed) return;
  installed = true;
  const m = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
  const load = m._load;
  m._load = function (request: string, parent: unknown, isMain: boolean) {
    return request === 'vscode' ? fakeVscode : load.call(this, request, parent, isMain);
  };
}

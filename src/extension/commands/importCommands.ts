import * as vscode from 'vscode';
import { folderAgents, hostPaths, requestedDirs } from '../../core/agents/folders';
import { loadConfig } from '../../core/config';
import type { ImportRequest, ImportSummary } from '../../core/contracts/api';
import type { Container } from '../container';
import { COMMANDS } from '../ids';
import { settingAgents } from '../settings';
import { importFraction, importProgressText, importSummaryText, ImportWaiter, type ImportPlaces } from '../model/importText';

/** Runs an import in the server (`POST /api/import`), following progress over SSE, cancellable. */
export async function runImport(c: Container, title: string, req: ImportRequest): Promise<ImportSummary | null> {
  const api = c.live.client;
  if (!api || c.live.status.state !== 'connected') {
    void vscode.window.showErrorMessage('AgentMonitor: the server is not running; start it with "AgentMonitor: Restart Server".');
    return null;
  }
  try {
    const summary = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      async (progress, token) => {
        let reported = 0;
        const waiter = new ImportWaiter((p) => {
          const f = importFraction(p);
          const inc = Math.max(0, Math.round(f * 100) - reported);
          reported += inc;
          progress.report({ message: importProgressText(p), increment: inc });
        });
        const sub = c.live.onMessage((m) => waiter.message(m));
        const lost = c.live.onDidChangeStatus((s) => {
          if (s.state !== 'connected') waiter.fail(new Error('lost the connection to the server during the import'));
        });
        try {
          const started = await api.startImport(req);
          if (started.summary) return started.summary;
          waiter.track(started.import_id);
          token.onCancellationRequested(() => {
            api.cancelImport(started.import_id).catch((err: Error) => c.log.warn(`cancelling import failed: ${err.message}`));
          });
          return await waiter.done;
        } finally {
          sub.dispose();
          lost.dispose();
        }
      },
    );
    const text = importSummaryText(summary, importPlaces(c, req));
    c.log.info(text);
    const pick = await vscode.window.showInformationMessage(`AgentMonitor: ${text}`, 'Open Dashboard');
    if (pick) void vscode.commands.executeCommand(COMMANDS.openDashboard);
    return summary;
  } catch (err) {
    c.log.error(`import failed: ${(err as Error).message}`);
    void vscode.window.showErrorMessage(`AgentMonitor: import failed: ${(err as Error).message}`);
    return null;
  }
}

/** The folders the server reads for `req`: those it names, else the server's defaults for this window's settings. */
function importPlaces(c: Container, req: ImportRequest): ImportPlaces | undefined {
  try {
    return { ...requestedDirs(req, loadConfig(c.serverEnv())), cwdFilter: req.cwd_filter };
  } catch {
    return undefined;
  }
}

export function workspaceImportRequest(c: Container, folders: readonly string[]): ImportRequest {
  return {
    ...settingsImportRequest(c),
    cwd_filter: [...folders],
  };
}

/**
 * The folders this window's settings name (each agent's folder setting, as the server reads its
 * environment variable). A request naming some agents' folders reads only what it names: every
 * other agent's default folders are named too.
 */
function settingsImportRequest(c: Container): ImportRequest {
  const s = c.config.settings;
  const named: ImportRequest = Object.fromEntries(
    settingAgents()
      .filter(({ folders: f }) => s.agentFolders[f.setting.key]?.length)
      .map(({ folders: f }) => [f.request, f.defaults({ ...process.env, [f.env]: s.agentFolders[f.setting.key].join(',') }, hostPaths())]),
  );
  if (!Object.keys(named).length) return named;
  try {
    const config = loadConfig(c.serverEnv()) as unknown as Record<string, string[]>;
    const given = named as Record<string, string[] | undefined>;
    return Object.fromEntries(folderAgents().map(({ folders: f }) => [f.request, given[f.request] ?? config[f.config]]));
  } catch {
    return named;
  }
}

export function registerImportCommands(c: Container): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.importWorkspaceLogs, async () => {
      const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
      if (!folders.length) {
        void vscode.window.showWarningMessage('AgentMonitor: open a folder first, or use "AgentMonitor: Import All Logs".');
        return null;
      }
      return runImport(c, 'AgentMonitor: importing the logs of this workspace', workspaceImportRequest(c, folders));
    }),
    vscode.commands.registerCommand(COMMANDS.importAllLogs, async () => {
      const names = folderAgents().map((a) => a.name);
      return runImport(c, `AgentMonitor: importing all ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} logs`, settingsImportRequest(c));
    }),
  ];
}

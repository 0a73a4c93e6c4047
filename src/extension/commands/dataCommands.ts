import * as os from 'node:os';
import * as vscode from 'vscode';
import { exportEvents, type ExportFormat } from '../api/exporter';
import type { Container } from '../container';
import { COMMANDS } from '../ids';

export function registerDataCommands(c: Container): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.exportData, async (formatArg?: ExportFormat, target?: vscode.Uri) => {
      const api = c.live.client;
      if (!api) {
        void vscode.window.showErrorMessage('AgentMonitor: the server is not running.');
        return null;
      }
      let format = formatArg;
      if (!format) {
        const pick = await vscode.window.showQuickPick(
          [
            { label: 'CSV', description: 'one row per event, for spreadsheets', format: 'csv' as const },
            { label: 'JSON', description: 'every field, metadata included', format: 'json' as const },
          ],
          { title: 'Export AgentMonitor events' },
        );
        if (!pick) return null;
        format = pick.format;
      }
      const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
      const uri =
        target ??
        (await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.joinPath(base, `agentmonitor-events.${format}`),
          filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
        }));
      if (!uri) return null;
      const fmt = format;
      try {
        const r = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'AgentMonitor: exporting events', cancellable: true },
          (progress, token) =>
            exportEvents(api, uri.fsPath, fmt, {
              isCancelled: () => token.isCancellationRequested,
              onPage: (n) => progress.report({ message: `${n.toLocaleString('en-US')} events` }),
            }),
        );
        if (r.cancelled) void vscode.window.showInformationMessage('AgentMonitor: export cancelled.');
        else void vscode.window.showInformationMessage(`AgentMonitor: exported ${r.rows.toLocaleString('en-US')} events to ${uri.fsPath}`);
        return r;
      } catch (err) {
        void vscode.window.showErrorMessage(`AgentMonitor: export failed: ${(err as Error).message}`);
        return null;
      }
    }),
    vscode.commands.registerCommand(COMMANDS.clearData, async (confirmed?: boolean) => {
      const api = c.live.client;
      if (!api) {
        void vscode.window.showErrorMessage('AgentMonitor: the server is not running.');
        return false;
      }
      if (confirmed !== true) {
        const pick = await vscode.window.showWarningMessage(
          'Delete every stored AgentMonitor event, session and cost record? This cannot be undone.',
          { modal: true },
          'Delete All Data',
        );
        if (pick !== 'Delete All Data') return false;
      }
      try {
        await api.clearData();
        void vscode.window.showInformationMessage('AgentMonitor: all data cleared.');
        return true;
      } catch (err) {
        void vscode.window.showErrorMessage(`AgentMonitor: clearing data failed: ${(err as Error).message}`);
        return false;
      }
    }),
  ];
}

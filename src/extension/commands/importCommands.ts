import * as vscode from 'vscode';
import { loadConfig } from '../../core/config';
import type { ImportRequest, ImportSummary } from '../../core/contracts/api';
import type { Container } from '../container';
import { COMMANDS } from '../ids';
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
    const config = loadConfig(c.serverEnv());
    const all = !req.claude_dirs && !req.codex_dirs && !req.gemini_dirs && !req.copilot_dirs && !req.opencode_dirs && !req.copilot_chat_dirs;
    return {
      claudeDirs: req.claude_dirs ?? (all ? config.claudeDirs : []),
      codexDirs: req.codex_dirs ?? (all ? config.codexDirs : []),
      geminiDirs: req.gemini_dirs ?? (all ? config.geminiDirs : []),
      copilotDirs: req.copilot_dirs ?? (all ? config.copilotDirs : []),
      opencodeDirs: req.opencode_dirs ?? (all ? config.opencodeDirs : []),
      copilotChatDirs: req.copilot_chat_dirs ?? (all ? config.copilotChatDirs : []),
      cwdFilter: req.cwd_filter,
    };
  } catch {
    return undefined;
  }
}

export function workspaceImportRequest(c: Container, folders: readonly string[]): ImportRequest {
  const s = c.config.settings;
  return {
    ...(s.claudeConfigDirs.length ? { claude_dirs: s.claudeConfigDirs } : {}),
    ...(s.codexHome ? { codex_dirs: [s.codexHome] } : {}),
    ...geminiWhenOthersNamed(c, s.claudeConfigDirs.length > 0 || !!s.codexHome),
    cwd_filter: [...folders],
  };
}

/** A request naming Claude or Codex folders reads only what it names: name Gemini CLI's, Copilot CLI's and OpenCode's default folders too. */
function geminiWhenOthersNamed(c: Container, named: boolean): ImportRequest {
  if (!named) return {};
  try {
    const config = loadConfig(c.serverEnv());
    return { gemini_dirs: config.geminiDirs, copilot_dirs: config.copilotDirs, opencode_dirs: config.opencodeDirs, copilot_chat_dirs: config.copilotChatDirs };
  } catch {
    return {};
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
      const s = c.config.settings;
      return runImport(c, 'AgentMonitor: importing all Claude Code, Codex, Gemini CLI and Copilot CLI logs', {
        ...(s.claudeConfigDirs.length ? { claude_dirs: s.claudeConfigDirs } : {}),
        ...(s.codexHome ? { codex_dirs: [s.codexHome] } : {}),
        ...geminiWhenOthersNamed(c, s.claudeConfigDirs.length > 0 || !!s.codexHome),
      });
    }),
  ];
}

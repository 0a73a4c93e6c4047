/**
 * The composition root: builds every service of the extension once, in dependency order, and owns
 * their disposal. `extension.ts` only creates it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LiveConnection } from './api/liveConnection';
import { registerDashboardCommands } from './commands/dashboardCommands';
import { registerDataCommands } from './commands/dataCommands';
import { registerImportCommands } from './commands/importCommands';
import { registerServerCommands } from './commands/serverCommands';
import { registerSetupCommands } from './commands/setupCommands';
import { registerTranscriptCommands } from './commands/transcriptCommands';
import { ConfigService } from './configService';
import { CONTEXT_KEYS } from './ids';
import { Disposable, toDisposable } from './lifecycle';
import { ServerProblemNotice } from './model/serverProblemNotice';
import { WaitingNotice } from './model/waiting';
import { DashboardPanelHost } from './panel/dashboardPanel';
import { ServerSupervisor, type LogLevel } from './server/supervisor';
import { baseUrl, serverEnv, serverSettingsChanged, statusThresholds } from './settings';
import { AgentsTreeProvider } from './views/agentsTreeProvider';
import { problemNotificationHost } from './views/serverProblemNotification';
import { StatusBarTicker } from './views/statusBarTicker';
import { waitingNotificationHost } from './views/waitingNotification';

export class Container extends Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly config: ConfigService;
  readonly supervisor: ServerSupervisor;
  readonly live: LiveConnection;
  readonly tree: AgentsTreeProvider;
  readonly ticker: StatusBarTicker;
  readonly dashboard: DashboardPanelHost;
  /** The server entry bundled with the extension. */
  readonly cliPath: string;

  constructor(readonly context: vscode.ExtensionContext) {
    super();
    this.cliPath = path.join(context.extensionPath, 'dist', 'cli.js');
    this.log = this._register(vscode.window.createOutputChannel('AgentMonitor', { log: true }));
    this.config = this._register(new ConfigService());
    const log = (level: LogLevel, line: string) => this.log[level](line);
    this.supervisor = this._register(
      new ServerSupervisor({
        cliPath: this.cliPath,
        execPath: process.execPath,
        env: () => this.serverEnv(),
        baseUrl: () => baseUrl(this.config.settings),
        port: () => this.config.settings.port,
        log,
      }),
    );
    this.live = this._register(
      new LiveConnection(this.supervisor, {
        token: () => this.config.settings.token || undefined,
        log,
        sessionsPerAgent: this.config.settings.sessionsPerAgent,
        thresholds: () => statusThresholds(this.config.settings),
      }),
    );
    this.tree = this._register(new AgentsTreeProvider(this.live)).register();
    this.ticker = this._register(new StatusBarTicker(this.live, this.supervisor, this.config, context.globalState)).register();
    this.dashboard = this._register(new DashboardPanelHost(context.extensionUri, this.live, () => baseUrl(this.config.settings))).register();
    for (const register of [registerServerCommands, registerDashboardCommands, registerImportCommands, registerSetupCommands, registerDataCommands, registerTranscriptCommands]) {
      for (const d of register(this)) this._register(d);
    }
    const waiting = new WaitingNotice(waitingNotificationHost, () => this.config.settings);
    this._register(this.live.onDidStartWaiting((s) => void waiting.started(s)));
    const problem = new ServerProblemNotice(problemNotificationHost);
    this._register(toDisposable(() => problem.close()));
    this._register(this.supervisor.onDidChangeState((s) => {
      void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.serverState, s.kind);
      problem.update(s);
    }));
    this._register(
      this.config.onDidChange(({ previous, current }) => {
        if (previous.sessionsPerAgent !== current.sessionsPerAgent) {
          this.live.model.setSessionsPerAgent(current.sessionsPerAgent);
          this.tree.repaint();
        }
        if (previous.idleMinutes !== current.idleMinutes || previous.endMinutes !== current.endMinutes) {
          this.live.setThresholds(statusThresholds(current));
        }
        if (serverSettingsChanged(previous, current)) {
          this.log.info('server settings changed; restarting the server');
          void this.supervisor.restart();
        }
      }),
    );
  }

  /** Starts (or follows) the server off the activation path. */
  start(): void {
    if (!this.config.settings.autoStart) {
      this.log.info('agentMonitor.autoStart is off; use "AgentMonitor: Restart Server" to start it');
      return;
    }
    setImmediate(() => void this.supervisor.start());
  }

  /** Deactivation: stop this window's server so it flushes its journal and snapshot. */
  async shutdown(): Promise<void> {
    this.live.dispose();
    await this.supervisor.stop();
    this.dispose();
  }

  serverEnv(): NodeJS.ProcessEnv {
    const env = serverEnv(this.config.settings, process.env);
    // This editor's user folder (its global storage is `<User>/globalStorage/<extension>`): where
    // Copilot Chat's session files are, whichever VS Code build or profile this is.
    const storage = this.context.globalStorageUri;
    if (storage.scheme === 'file' && !env.AGENTMONITOR_VSCODE_USER_DIR) env.AGENTMONITOR_VSCODE_USER_DIR = path.dirname(path.dirname(storage.fsPath));
    return env;
  }
}

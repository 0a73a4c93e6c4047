/**
 * What the dashboard names when it runs inside VS Code, where the `agentmonitor` CLI is not on the
 * user's PATH and the server is configured through settings: the extension's commands (as the
 * Command Palette shows them) and its settings. `test/unit/webviewEmptyStates.test.ts` keeps them
 * equal to the extension's manifest (package.json).
 */

/** Commands of the extension, by id, with their Command Palette title ("Category: Title"). */
export const VSCODE_COMMANDS = {
  installClaudeHooks: { id: 'agentMonitor.installClaudeHooks', title: 'AgentMonitor: Install Claude Code Hooks' },
  configureCodexTelemetry: { id: 'agentMonitor.configureCodexTelemetry', title: 'AgentMonitor: Configure Codex Telemetry' },
  importAllLogs: { id: 'agentMonitor.importAllLogs', title: 'AgentMonitor: Import All Logs' },
  importWorkspaceLogs: { id: 'agentMonitor.importWorkspaceLogs', title: 'AgentMonitor: Import Workspace Logs' },
} as const;

/** Settings of the extension that the dashboard's hints name. */
export const VSCODE_SETTINGS = {
  dailyBudgetUsd: 'agentMonitor.dailyBudgetUSD',
  watchLogs: 'agentMonitor.watchLogs',
  port: 'agentMonitor.port',
} as const;

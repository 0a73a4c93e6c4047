/** Every command, view, container and setting id the extension contributes, in one place. */
export const EXTENSION_ID = 'agentmonitor.agentmonitor';
export const CONFIG_SECTION = 'agentMonitor';

export const VIEW_CONTAINER_ID = 'agentMonitor';
export const AGENTS_VIEW_ID = 'agentMonitor.agents';
export const DASHBOARD_PANEL_TYPE = 'agentMonitor.dashboard';

export const COMMANDS = {
  openDashboard: 'agentMonitor.openDashboard',
  importWorkspaceLogs: 'agentMonitor.importWorkspaceLogs',
  importAllLogs: 'agentMonitor.importAllLogs',
  installClaudeHooks: 'agentMonitor.installClaudeHooks',
  configureCodexTelemetry: 'agentMonitor.configureCodexTelemetry',
  restartServer: 'agentMonitor.restartServer',
  showServerLog: 'agentMonitor.showServerLog',
  exportData: 'agentMonitor.exportData',
  clearData: 'agentMonitor.clearData',
  refreshAgents: 'agentMonitor.refreshAgents',
  openSessionInDashboard: 'agentMonitor.openSessionInDashboard',
  copySessionId: 'agentMonitor.copySessionId',
  revealTranscript: 'agentMonitor.revealTranscript',
  showServerActions: 'agentMonitor.showServerActions',
  searchSessions: 'agentMonitor.searchSessions',
  focusAgentTerminal: 'agentMonitor.focusAgentTerminal',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Context keys used in `when` clauses. */
export const CONTEXT_KEYS = {
  hasData: 'agentMonitor.hasData',
  serverState: 'agentMonitor.serverState',
} as const;

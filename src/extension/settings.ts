/**
 * Typed `agentMonitor.*` settings (they mirror `contributes.configuration` in package.json) and
 * their mapping onto the server's AGENTMONITOR_* environment (DESIGN §5). Pure. The agents' folder
 * settings come from their identities (`folders.setting`, `src/core/agents/<agent>/identity.ts`).
 */
import { folderAgents, type FolderAgent } from '../core/agents/folders';

type SettingAgent = FolderAgent & { folders: { setting: NonNullable<FolderAgent['folders']['setting']> } };

/** The agents with a folder setting, in order. */
export function settingAgents(): SettingAgent[] {
  return folderAgents().filter((a): a is SettingAgent => !!a.folders.setting);
}

export interface ExtensionSettings {
  host: string;
  port: number;
  /** Empty: the server's default (~/.agentmonitor/agentmonitor.db). */
  dbPath: string;
  token: string;
  maxSseClients: number;
  sseHeartbeatMs: number;
  maxPayloadKb: number;
  idleMinutes: number;
  endMinutes: number;
  retentionDays: number;
  /**
   * Each agent's folder setting by its key (`claudeConfigDirs`, `codexHome`, `geminiCliHome`, …):
   * the folders given, none for an empty setting (the agent's environment variable or default then).
   */
  agentFolders: Readonly<Record<string, string[]>>;
  watchLogs: boolean;
  storeThinking: boolean;
  /** 0 = no budget. */
  dailyBudgetUsd: number;
  /** Start (or follow) the server when VS Code starts. */
  autoStart: boolean;
  showStatusBar: boolean;
  sessionsPerAgent: number;
  /** Notify when an agent starts waiting for a permission / for input. */
  notifyWaitingPermission: boolean;
  notifyWaitingInput: boolean;
  /** A team server the local server pushes its events to (both set), `agentmonitor push`'s --to and --token. */
  teamServerUrl: string;
  teamToken: string;
}

export const DEFAULT_SETTINGS: ExtensionSettings = {
  host: '127.0.0.1',
  port: 3142,
  dbPath: '',
  token: '',
  maxSseClients: 50,
  sseHeartbeatMs: 15000,
  maxPayloadKb: 32,
  idleMinutes: 5,
  endMinutes: 120,
  retentionDays: 0,
  agentFolders: Object.fromEntries(settingAgents().map((a) => [a.folders.setting.key, []])),
  watchLogs: true,
  storeThinking: true,
  dailyBudgetUsd: 0,
  autoStart: true,
  showStatusBar: true,
  sessionsPerAgent: 50,
  notifyWaitingPermission: true,
  notifyWaitingInput: true,
  teamServerUrl: '',
  teamToken: '',
};

/** Settings whose change needs the server restarted with a new environment. */
export const SERVER_SETTING_KEYS: readonly (keyof ExtensionSettings)[] = [
  'host',
  'port',
  'dbPath',
  'token',
  'maxSseClients',
  'sseHeartbeatMs',
  'maxPayloadKb',
  'idleMinutes',
  'endMinutes',
  'retentionDays',
  'agentFolders',
  'watchLogs',
  'storeThinking',
  'dailyBudgetUsd',
  'teamServerUrl',
  'teamToken',
];

type Getter = (key: string) => unknown;

/**
 * Settings renamed for their titles in the Settings editor (it derives them from the key: "Db Path",
 * "Max Sse Clients"): new key → old key. A value still under the old key counts while the new key
 * has its default.
 */
export const RENAMED_SETTINGS: Readonly<Record<string, string>> = {
  databasePath: 'dbPath',
  maxStreamClients: 'maxSseClients',
  streamHeartbeatInterval: 'sseHeartbeatMs',
  maxPayloadKB: 'maxPayloadKb',
  dailyBudgetUSD: 'dailyBudgetUsd',
};

/** `get` that also reads a renamed setting's old key while the new one is at its default. */
function withRenamed(get: Getter, defaults: Readonly<Record<string, unknown>>): Getter {
  return (key) => {
    const value = get(key);
    const old = RENAMED_SETTINGS[key];
    if (!old || (value !== undefined && value !== defaults[key])) return value;
    const before = get(old);
    return before === undefined ? value : before;
  };
}

function numberSetting(v: unknown, dflt: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : dflt;
}

function stringSetting(v: unknown, dflt: string): string {
  return typeof v === 'string' ? v.trim() : dflt;
}

/** Reads settings through `get` (a `WorkspaceConfiguration.get`), falling back to defaults on bad values. */
export function readSettings(getSetting: Getter): ExtensionSettings {
  const d = DEFAULT_SETTINGS;
  const get = withRenamed(getSetting, {
    databasePath: d.dbPath,
    maxStreamClients: d.maxSseClients,
    streamHeartbeatInterval: d.sseHeartbeatMs,
    maxPayloadKB: d.maxPayloadKb,
    dailyBudgetUSD: d.dailyBudgetUsd,
  });
  const agentFolders: Record<string, string[]> = {};
  for (const { folders: f } of settingAgents()) {
    const v = get(f.setting.key);
    const list = f.setting.list ? (Array.isArray(v) ? v : []) : [v];
    agentFolders[f.setting.key] = list.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  }
  return {
    host: stringSetting(get('host'), d.host) || d.host,
    port: Math.round(numberSetting(get('port'), d.port, 1, 65535)),
    dbPath: stringSetting(get('databasePath'), d.dbPath),
    token: stringSetting(get('token'), d.token),
    maxSseClients: numberSetting(get('maxStreamClients'), d.maxSseClients, 1, 10000),
    sseHeartbeatMs: numberSetting(get('streamHeartbeatInterval'), d.sseHeartbeatMs, 50, 600000),
    maxPayloadKb: numberSetting(get('maxPayloadKB'), d.maxPayloadKb, 1, 10240),
    idleMinutes: numberSetting(get('idleMinutes'), d.idleMinutes, 0, 1440),
    endMinutes: numberSetting(get('endMinutes'), d.endMinutes, 0, 100000),
    retentionDays: numberSetting(get('retentionDays'), d.retentionDays, 0, 100000),
    agentFolders,
    watchLogs: typeof get('watchLogs') === 'boolean' ? (get('watchLogs') as boolean) : d.watchLogs,
    storeThinking: typeof get('storeThinking') === 'boolean' ? (get('storeThinking') as boolean) : d.storeThinking,
    dailyBudgetUsd: numberSetting(get('dailyBudgetUSD'), d.dailyBudgetUsd, 0, 1e9),
    autoStart: typeof get('autoStart') === 'boolean' ? (get('autoStart') as boolean) : d.autoStart,
    showStatusBar: typeof get('showStatusBar') === 'boolean' ? (get('showStatusBar') as boolean) : d.showStatusBar,
    sessionsPerAgent: Math.round(numberSetting(get('sessionsPerAgent'), d.sessionsPerAgent, 1, 1000)),
    notifyWaitingPermission: typeof get('notifyWaitingPermission') === 'boolean' ? (get('notifyWaitingPermission') as boolean) : d.notifyWaitingPermission,
    notifyWaitingInput: typeof get('notifyWaitingInput') === 'boolean' ? (get('notifyWaitingInput') as boolean) : d.notifyWaitingInput,
    teamServerUrl: stringSetting(get('teamServerURL'), d.teamServerUrl),
    teamToken: stringSetting(get('teamToken'), d.teamToken),
  };
}

/** The environment the forked server runs with: the editor's own env plus the settings. */
export function serverEnv(s: ExtensionSettings, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ELECTRON_RUN_AS_NODE: '1' };
  // Variables the editor sets for itself must not leak into a plain Node child.
  delete env.ELECTRON_NO_ATTACH_CONSOLE;
  delete env.VSCODE_IPC_HOOK;
  delete env.NODE_OPTIONS;
  env.AGENTMONITOR_HOST = s.host;
  env.AGENTMONITOR_PORT = String(s.port);
  if (s.dbPath) env.AGENTMONITOR_DB_PATH = s.dbPath;
  if (s.token) env.AGENTMONITOR_TOKEN = s.token;
  else delete env.AGENTMONITOR_TOKEN;
  env.AGENTMONITOR_MAX_SSE_CLIENTS = String(s.maxSseClients);
  env.AGENTMONITOR_SSE_HEARTBEAT_MS = String(s.sseHeartbeatMs);
  env.AGENTMONITOR_MAX_PAYLOAD_KB = String(s.maxPayloadKb);
  env.AGENTMONITOR_IDLE_MINUTES = String(s.idleMinutes);
  env.AGENTMONITOR_END_MINUTES = String(s.endMinutes);
  env.AGENTMONITOR_RETENTION_DAYS = String(s.retentionDays);
  for (const { folders: f } of settingAgents()) {
    const dirs = s.agentFolders[f.setting.key] ?? [];
    if (dirs.length) env[f.env] = dirs.join(',');
  }
  env.AGENTMONITOR_WATCH = s.watchLogs ? '1' : '0';
  env.AGENTMONITOR_THINKING = s.storeThinking ? '1' : '0';
  if (s.dailyBudgetUsd > 0) env.AGENTMONITOR_DAILY_BUDGET_USD = String(s.dailyBudgetUsd);
  else delete env.AGENTMONITOR_DAILY_BUDGET_USD;
  delete env.AGENTMONITOR_TEAM_URL;
  delete env.AGENTMONITOR_TEAM_TOKEN;
  if (s.teamServerUrl && s.teamToken) {
    env.AGENTMONITOR_TEAM_URL = s.teamServerUrl;
    env.AGENTMONITOR_TEAM_TOKEN = s.teamToken;
  }
  return env;
}

export function serverSettingsChanged(a: ExtensionSettings, b: ExtensionSettings): boolean {
  return SERVER_SETTING_KEYS.some((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

export function baseUrl(s: Pick<ExtensionSettings, 'host' | 'port'>): string {
  const host = s.host.includes(':') && !s.host.startsWith('[') ? `[${s.host}]` : s.host;
  return `http://${host}:${s.port}`;
}

/** The idle/end thresholds the server was started with, for ageing statuses locally. */
export function statusThresholds(s: Pick<ExtensionSettings, 'idleMinutes' | 'endMinutes'>): { idleMs: number; endMs: number } {
  return { idleMs: s.idleMinutes * 60_000, endMs: s.endMinutes * 60_000 };
}

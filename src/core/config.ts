/**
 * Server configuration from the environment (DESIGN §5). The extension maps its `agentMonitor.*`
 * settings onto the same variables when it starts the server.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export interface ServerConfig {
  host: string;
  port: number;
  dbPath: string;
  maxSseClients: number;
  sseHeartbeatMs: number;
  /** Cap on one event's serialized metadata, in bytes. */
  maxPayloadBytes: number;
  /** Cap on one request body, in bytes. */
  maxBodyBytes: number;
  token: string | null;
  /** Allow a non-loopback bind without a token (every read and write open to the network). */
  insecureNoToken: boolean;
  /** Minutes of silence after which an active session shows as idle. */
  idleAfterMinutes: number;
  /** Minutes of silence after which a session without session_end counts as ended. */
  endAfterMinutes: number;
  /** Minimum seconds between snapshots while there are writes. */
  snapshotIntervalS: number;
  /** Days of raw events to keep (0 = forever); per-hour aggregates are kept regardless. */
  retentionDays: number;
  claudeDirs: string[];
  codexDirs: string[];
  geminiDirs: string[];
  copilotDirs: string[];
  /** OpenCode's data folders (holding `opencode.db`). */
  opencodeDirs: string[];
  /** VS Code user folders (Copilot Chat's session files). */
  copilotChatDirs: string[];
  watchLogs: boolean;
  dailyBudgetUsd: number | null;
  /** Keep what the model thought (Claude's thinking blocks, `metadata.thinking`) of what is imported. */
  storeThinking: boolean;
  /**
   * Databases with at least this many events warm the Costs and Tools views' first requests (in the
   * server's zone) as soon as the server starts, not only when a dashboard opens.
   */
  warmUpAtStartEvents: number;
}

function num(v: string | undefined, dflt: number, name: string, min = 0): number {
  if (v === undefined || v.trim() === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number >= ${min}, got "${v}"`);
  return n;
}

export function defaultDbPath(): string {
  return path.join(os.homedir(), '.agentmonitor', 'agentmonitor.db');
}

export function defaultClaudeDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.CLAUDE_CONFIG_DIR) return env.CLAUDE_CONFIG_DIR.split(',').map((s) => s.trim()).filter(Boolean);
  const home = os.homedir();
  return [path.join(home, '.claude'), path.join(home, '.config', 'claude')];
}

export function defaultCodexDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.CODEX_HOME || path.join(os.homedir(), '.codex')];
}

/** Gemini CLI's folder: `$GEMINI_CLI_HOME/.gemini` (the CLI's own override of the home) or `~/.gemini`. */
export function defaultGeminiDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [path.join(env.GEMINI_CLI_HOME || os.homedir(), '.gemini')];
}

/** Copilot CLI's folder: `$COPILOT_HOME` or `~/.copilot`. */
export function defaultCopilotDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.COPILOT_HOME || path.join(os.homedir(), '.copilot')];
}

/** OpenCode's data folder: `$XDG_DATA_HOME/opencode`, else `~/.local/share/opencode` (on every OS). */
export function defaultOpencodeDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'opencode')];
}

/**
 * VS Code's user folders, where Copilot Chat's session files are: `AGENTMONITOR_VSCODE_USER_DIR`
 * (comma-separated; the extension sets its own), else VS Code's and VS Code Insiders' per OS.
 */
export function defaultCopilotChatDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.AGENTMONITOR_VSCODE_USER_DIR) return env.AGENTMONITOR_VSCODE_USER_DIR.split(',').map((s) => s.trim()).filter(Boolean);
  const home = env.HOME || os.homedir();
  const base =
    process.platform === 'darwin' ? path.join(home, 'Library', 'Application Support')
    : process.platform === 'win32' ? env.APPDATA || path.join(home, 'AppData', 'Roaming')
    : env.XDG_CONFIG_HOME || path.join(home, '.config');
  return ['Code', 'Code - Insiders'].map((n) => path.join(base, n, 'User'));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const cfg: ServerConfig = {
    host: env.AGENTMONITOR_HOST || '127.0.0.1',
    port: num(env.AGENTMONITOR_PORT, 3142, 'AGENTMONITOR_PORT'),
    dbPath: env.AGENTMONITOR_DB_PATH || defaultDbPath(),
    maxSseClients: num(env.AGENTMONITOR_MAX_SSE_CLIENTS, 50, 'AGENTMONITOR_MAX_SSE_CLIENTS', 1),
    sseHeartbeatMs: num(env.AGENTMONITOR_SSE_HEARTBEAT_MS, 15000, 'AGENTMONITOR_SSE_HEARTBEAT_MS', 50),
    maxPayloadBytes: num(env.AGENTMONITOR_MAX_PAYLOAD_KB, 32, 'AGENTMONITOR_MAX_PAYLOAD_KB', 1) * 1024,
    maxBodyBytes: num(env.AGENTMONITOR_MAX_BODY_MB, 10, 'AGENTMONITOR_MAX_BODY_MB', 0.001) * 1024 * 1024,
    token: env.AGENTMONITOR_TOKEN || null,
    insecureNoToken: env.AGENTMONITOR_INSECURE_NO_TOKEN === '1',
    idleAfterMinutes: num(env.AGENTMONITOR_IDLE_MINUTES, 5, 'AGENTMONITOR_IDLE_MINUTES'),
    endAfterMinutes: num(env.AGENTMONITOR_END_MINUTES, 120, 'AGENTMONITOR_END_MINUTES'),
    snapshotIntervalS: num(env.AGENTMONITOR_SNAPSHOT_INTERVAL_S, 30, 'AGENTMONITOR_SNAPSHOT_INTERVAL_S', 0.05),
    retentionDays: num(env.AGENTMONITOR_RETENTION_DAYS, 0, 'AGENTMONITOR_RETENTION_DAYS'),
    claudeDirs: defaultClaudeDirs(env),
    codexDirs: defaultCodexDirs(env),
    geminiDirs: defaultGeminiDirs(env),
    copilotDirs: defaultCopilotDirs(env),
    opencodeDirs: defaultOpencodeDirs(env),
    copilotChatDirs: defaultCopilotChatDirs(env),
    watchLogs: env.AGENTMONITOR_WATCH !== '0',
    storeThinking: env.AGENTMONITOR_THINKING !== '0',
    dailyBudgetUsd: env.AGENTMONITOR_DAILY_BUDGET_USD ? num(env.AGENTMONITOR_DAILY_BUDGET_USD, 0, 'AGENTMONITOR_DAILY_BUDGET_USD') : null,
    warmUpAtStartEvents: num(env.AGENTMONITOR_WARM_UP_AT_START_EVENTS, 100_000, 'AGENTMONITOR_WARM_UP_AT_START_EVENTS'),
  };
  return { ...cfg, ...overrides };
}

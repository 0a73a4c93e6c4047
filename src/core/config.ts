/**
 * Server configuration from the environment (DESIGN §5). The extension maps its `agentMonitor.*`
 * settings onto the same variables when it starts the server.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultAgentDirs } from './agents/folders';
import type { AgentDirsConfig } from './agents/identities';

/** The agents' log folders are one field each, named by the agent's identity (`claudeDirs`, `geminiDirs`, …; `src/core/agents/`). */
export interface ServerConfig extends AgentDirsConfig {
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
  /**
   * A team server's address behind a reverse proxy (an origin such as `https://team.example.com`,
   * `AGENTMONITOR_PUBLIC_URL`): its Host and Origin are accepted, and reads need a token even on a
   * loopback bind (the proxy's requests come from loopback).
   */
  publicUrl: string | null;
  /** Minutes of silence after which an active session shows as idle. */
  idleAfterMinutes: number;
  /** Minutes of silence after which a session without session_end counts as ended. */
  endAfterMinutes: number;
  /** Minimum seconds between snapshots while there are writes. */
  snapshotIntervalS: number;
  /** Days of raw events to keep (0 = forever); per-hour aggregates are kept regardless. */
  retentionDays: number;
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

/** A public URL as its origin (`https://host[:port]`), or throws naming `name`. */
export function parsePublicUrl(v: string, name: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`${name} must be a URL such as https://team.example.com, got "${v}"`);
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password || u.search || u.hash || u.pathname !== '/') {
    throw new Error(`${name} must be an http(s) origin without path, query or credentials (https://team.example.com), got "${v}"`);
  }
  return u.origin;
}

export function defaultDbPath(): string {
  return path.join(os.homedir(), '.agentmonitor', 'agentmonitor.db');
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
    publicUrl: env.AGENTMONITOR_PUBLIC_URL ? parsePublicUrl(env.AGENTMONITOR_PUBLIC_URL, 'AGENTMONITOR_PUBLIC_URL') : null,
    idleAfterMinutes: num(env.AGENTMONITOR_IDLE_MINUTES, 5, 'AGENTMONITOR_IDLE_MINUTES'),
    endAfterMinutes: num(env.AGENTMONITOR_END_MINUTES, 120, 'AGENTMONITOR_END_MINUTES'),
    snapshotIntervalS: num(env.AGENTMONITOR_SNAPSHOT_INTERVAL_S, 30, 'AGENTMONITOR_SNAPSHOT_INTERVAL_S', 0.05),
    retentionDays: num(env.AGENTMONITOR_RETENTION_DAYS, 0, 'AGENTMONITOR_RETENTION_DAYS'),
    ...defaultAgentDirs(env),
    watchLogs: env.AGENTMONITOR_WATCH !== '0',
    storeThinking: env.AGENTMONITOR_THINKING !== '0',
    dailyBudgetUsd: env.AGENTMONITOR_DAILY_BUDGET_USD ? num(env.AGENTMONITOR_DAILY_BUDGET_USD, 0, 'AGENTMONITOR_DAILY_BUDGET_USD') : null,
    warmUpAtStartEvents: num(env.AGENTMONITOR_WARM_UP_AT_START_EVENTS, 100_000, 'AGENTMONITOR_WARM_UP_AT_START_EVENTS'),
  };
  return { ...cfg, ...overrides };
}

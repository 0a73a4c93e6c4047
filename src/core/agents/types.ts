/**
 * An agent adapter: everything AgentMonitor knows of one agent, declared in the agent's folder
 * (`src/core/agents/<agent>/index.ts`) and registered once (`registry.ts`). Discovery, tailing,
 * live mode and the parse worker (`logSources`), the default folders (`defaultDirs`), the import
 * CLI's options and the import request's fields (`identity.folders`), OTLP dispatch (`otel`), hook
 * installation (`hooks`) and the names and icons the UI shows (`identity`) all go through the
 * registry; nothing elsewhere names an agent. The parsers and mappers themselves live beside their
 * channel (`importers/`, `otel/`, `hooks/`); an adapter only says which are its own.
 */
import type { ClaudeSessionIndex } from '../importers/claudeCode';
import type { readOpencodeDb } from '../importers/opencode';
import type { LogKind, LogParser } from '../importers/types';
import type { HooksConfig, HookTarget, Version } from '../hooks/hookSettings';
import type { DoctorCheck, DoctorOptions } from '../hooks/doctorKit';
import type { HookScope } from '../hooks/locations';
import type { HookAgent, HookMapper } from '../hooks/normalize';
import type { MapOutcome } from '../otel/mappedEvent';
import type { OtlpLogRecord, OtlpSpan } from '../otel/otlpRecords';
import type { AgentIdentity } from './identity';

/** One kind of log file an agent writes (an agent may have several: Copilot CLI's logs and its database). */
export interface LogSource {
  /** Unique across agents: names the kind in the import state and the parse worker's messages. */
  kind: LogKind;
  /** The `agent_type` of its events. */
  agentType: string;
  /** Subfolders of a configured folder that hold the logs; a folder without any is searched as it is. */
  subdirs: readonly string[];
  /** Whether a file found under those folders is one of this agent's logs. */
  accepts(filePath: string): boolean;
  /** Whether the file's session ran inside one of `folders` (resolved), for `import --cwd`. */
  inCwd(filePath: string, folders: readonly string[]): boolean | Promise<boolean>;
  /** Discovery order when not by path (default: by path). */
  sortKey?(filePath: string): string;
  /** How deep below a log subfolder the logs sit at most (default 8 for discovery, 6 for live mode). */
  maxDepth?: number;
  /** Whether the file is read in one piece on every change rather than tailed by line. */
  wholeFile?(filePath: string): boolean;
  parser(filePath: string, state: unknown, index?: ClaudeSessionIndex): LogParser;
  /**
   * For an agent that keeps its sessions in a SQLite database instead of logs: reads what was
   * written since `state` (a copy of the file, its WAL applied). Such a file is found only directly
   * in the configured folder (`subdirs` empty) and polled by live mode instead of watched.
   */
  database?: typeof readOpencodeDb;
  /**
   * Whether a hook's `transcript_path` is session `sessionId`'s log of this kind (or one of its
   * subagents'), which live mode then follows even outside the watched folders.
   */
  hookTranscript?(sessionId: string, filePath: string): boolean;
}

/** How an agent's OTLP exports are recognised and mapped (`otel/otlpIngest.ts`). */
export interface AgentOtel {
  /** Whether a resource's `service.name` is this agent's. */
  service?(serviceName: string): boolean;
  /** The prefix of its log records' event names and its metrics' names (`claude_code.`). */
  namePrefix?: string;
  /** A mapper for the log records of one export request (state lives for that request only). */
  logMapper?(): (rec: OtlpLogRecord) => MapOutcome;
  /** Which of its counters are stored (`otel_counters`); none when absent. */
  keepsCounter?(metric: string): boolean;
  /** An agent that exports spans: whether a span is its own, and the span's mapping. */
  spans?: { accepts(span: OtlpSpan): boolean; map(span: OtlpSpan): MapOutcome };
}

/** What `agentmonitor hooks` does for an agent. */
export type AgentHooks =
  | {
      /** The agent as the hook endpoint knows it (`/api/hooks/<agent>`, `hooks/normalize.ts`). */
      agent: HookAgent;
      /** The values of `--agent` that select it. */
      cliNames: readonly string[];
      /** Whether `--agent all` installs it (uninstall and status always include it). */
      inAll(env: NodeJS.ProcessEnv): boolean;
      /** The settings file its hooks go into for `scope`; throws, naming why, when it has no such scope. */
      settingsFile(scope: HookScope, env: NodeJS.ProcessEnv, cwd: string): string;
      /** Our hooks in its settings' shape (`version`: the installed version, when it decides the events). */
      settings(t: HookTarget, version: Version | null): HooksConfig;
      /** Whether it counts as installed: its binary's name on PATH, or its config folder. */
      binName: string;
      configDir(env: NodeJS.ProcessEnv): string;
      /** A mapper of its hook payloads to events, one per hook endpoint (what it remembers lives as long as that). */
      mapper(): HookMapper;
      /** Whether the store numbers its hook prompts by their turn (Codex: `IngestOptions.numberCodexPrompts`). */
      numberPrompts?: boolean;
    }
  | {
      /** Why the agent gets no hooks (what `--agent <name>` answers), and the names that select it. */
      unsupported: string;
      cliNames: readonly string[];
    };

export interface AgentAdapter {
  identity: AgentIdentity;
  /** Its kinds of log, in discovery order (main transcripts before the files that refer to them). */
  logSources: readonly LogSource[];
  otel?: AgentOtel;
  hooks?: AgentHooks;
  /** What `agentmonitor doctor` says of it (`<agent>/doctor.ts`, with `hooks/doctorKit.ts`); nothing when absent. */
  doctor?(o: DoctorOptions): DoctorCheck[];
}

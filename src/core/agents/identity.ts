/**
 * What the code that runs everywhere (the webview too) knows of an agent: its name, its icon, its
 * events' `agent_type` and the names of its log folders' settings. Pure data, no Node: each agent's
 * folder declares one (`<agent>/identity.ts`), `identities.ts` lists them, and the contracts (agent
 * names, known agent types, the import request's folder fields) derive from that list. What needs
 * Node (parsers, default folders, OTLP mappers, hook installers) is the agent's adapter
 * (`<agent>/index.ts`, `types.ts`), registered in `registry.ts`.
 */
export interface AgentIdentity {
  /** The adapter's id (stable; also the first log kind's name). */
  id: string;
  /** The `agent_type` of its events. */
  agentType: string;
  /** Other spellings of `agentType` that clients send, stored as `agentType`. */
  aliases?: readonly string[];
  /** Its name as shown (tree, ticker, dashboard, CLI messages). */
  name: string;
  /** A codicon id (VS Code's product icons) the tree draws. */
  icon: string;
  /**
   * How its CLI shows in the process table (the extension finds a session's terminal by it): its
   * executables' names, and the path segments naming it when node runs it as a script.
   */
  process?: { bins: readonly string[]; scripts: readonly string[] };
  /**
   * Whether some of its usage is a stand-in (`metricsUsageEventId` ids: Claude Code's OTLP metrics,
   * Copilot CLI's session store), kept only for a session without another record of its calls
   * (`store/insert.ts`).
   */
  standInUsage?: boolean;
  /** Where it keeps logs AgentMonitor reads; absent for an agent seen only through hooks, OTLP or the API. */
  folders?: AgentFolders;
}

/** What a default folder is computed from (the caller's `os.homedir()`, `process.platform`, `path.join`), so identities stay free of Node. */
export interface HostPaths {
  home: string;
  platform: string;
  join(...parts: string[]): string;
}

/** The names a log folder setting goes by in each place it can be set. */
export interface AgentFolders {
  /** Field of `POST /api/import`'s body (`ImportRequest`), a list of folders. */
  request: `${string}_dirs`;
  /** Field of `ServerConfig` holding the default folders. */
  config: `${string}Dirs`;
  /** Option of `agentmonitor import` (`--<option> DIR`, repeatable). */
  option: `${string}-dir`;
  /** What `import --help` says such a folder is ("a Codex home holding sessions/"). */
  holds: string;
  /** What is read from it, as `import --help` lists it ("Codex rollouts"). */
  logs: string;
  /** The default folders, as `import --help` says them. */
  defaultsText: string;
  /** Where the logs sit in such a folder, as an import that found nothing says ("sessions/ and archived_sessions/ below each"). */
  lookedIn: string;
  /** The environment variable that moves the default folder, named when nothing was found. */
  env: string;
  /** Its default folders, the environment's overrides applied. */
  defaults(env: Record<string, string | undefined>, host: HostPaths): string[];
  /**
   * The VS Code setting `agentMonitor.<key>` (package.json `contributes.configuration`, which
   * `extensionFolderSettings.test.ts` holds to this) whose value the extension gives the server it
   * starts as `env` (a list joined by commas).
   */
  setting?: { key: string; list?: true; description: string };
}

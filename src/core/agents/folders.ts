/**
 * The agents' log folders as each consumer spells them, all derived from the identities (pure
 * data, so the extension and config read them without the parsers): the defaults (`ServerConfig`'s
 * `claudeDirs`, `geminiDirs`, …), the import request's fields (`claude_dirs`, …) and the CLI's
 * options (`--claude-dir`, …). Which kinds of log each agent's folders hold is the registry's
 * (`importers/logSources.ts`, `dirsByKind`).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { ImportRequest } from '../contracts/api';
import { AGENT_IDENTITIES, type AgentDirsConfig } from './identities';
import type { AgentFolders, AgentIdentity, HostPaths } from './identity';

/** Folder lists by `ServerConfig` field; an agent left out reads no folder. */
export type AgentDirs = Partial<AgentDirsConfig>;

/** An agent with log folders. */
export type FolderAgent = AgentIdentity & { folders: AgentFolders };

type Lists = Record<string, string[] | undefined>;

/** The agents whose log folders are read, in order. */
export function folderAgents(agents: readonly AgentIdentity[] = AGENT_IDENTITIES): FolderAgent[] {
  return agents.filter((a): a is FolderAgent => !!a.folders);
}

/** This machine's home, platform and path joining, for `AgentFolders.defaults`. */
export function hostPaths(): HostPaths {
  return { home: os.homedir(), platform: process.platform, join: path.join };
}

/**
 * The agent's own folder for `env` (its first default, `HOME` from `env`): where its hooks' settings,
 * its presence for `doctor` and `hooks install` are looked for.
 */
export function agentFolder(agent: FolderAgent, env: NodeJS.ProcessEnv): string {
  const host = { home: env.HOME || os.homedir(), platform: process.platform, join: path.join };
  return agent.folders.defaults(env, host)[0] ?? agent.folders.defaults({ ...env, [agent.folders.env]: undefined }, host)[0];
}

/** Every agent's default folders, by `ServerConfig` field. */
export function defaultAgentDirs(env: NodeJS.ProcessEnv, agents: readonly AgentIdentity[] = AGENT_IDENTITIES): AgentDirsConfig {
  const host = hostPaths();
  return Object.fromEntries(folderAgents(agents).map((a) => [a.folders.config, a.folders.defaults(env, host)])) as AgentDirsConfig;
}

/** All the folders named, every agent's. */
export function allDirs(dirs: AgentDirs, agents: readonly AgentIdentity[] = AGENT_IDENTITIES): string[] {
  const lists = dirs as Lists;
  return folderAgents(agents).flatMap((a) => lists[a.folders.config] ?? []);
}

/** Only the agents' folder fields of `config`. */
export function pickAgentDirs(config: AgentDirs, agents: readonly AgentIdentity[] = AGENT_IDENTITIES): AgentDirs {
  const lists = config as Lists;
  return Object.fromEntries(folderAgents(agents).map((a) => [a.folders.config, lists[a.folders.config] ?? []])) as AgentDirs;
}

/** All the folders a request names, every agent's. */
export function requestDirs(req: ImportRequest, agents: readonly AgentIdentity[] = AGENT_IDENTITIES): string[] {
  const lists = req as Lists;
  return folderAgents(agents).flatMap((a) => lists[a.folders.request] ?? []);
}

/**
 * What a request imports: the folders it names, by agent; a request that names no agent's folders
 * imports every agent's defaults, one that names some only those.
 */
export function requestedDirs(req: ImportRequest, defaults: AgentDirs, agents: readonly AgentIdentity[] = AGENT_IDENTITIES): AgentDirsConfig {
  const lists = req as Lists;
  const found = defaults as Lists;
  const all = folderAgents(agents).every((a) => !lists[a.folders.request]);
  return Object.fromEntries(folderAgents(agents).map((a) => [a.folders.config, lists[a.folders.request] ?? (all ? (found[a.folders.config] ?? []) : [])])) as AgentDirsConfig;
}

/** The request with each agent's folder list replaced by `map`'s answer (lists it leaves out stay absent). */
export async function mapRequestDirs(req: ImportRequest, map: (dirs: string[] | undefined) => Promise<string[] | undefined>, agents: readonly AgentIdentity[] = AGENT_IDENTITIES): Promise<ImportRequest> {
  const lists = req as Lists;
  const fields = folderAgents(agents).map((a) => a.folders.request);
  const mapped = await Promise.all(fields.map((f) => map(lists[f])));
  const out: Lists = { ...lists };
  fields.forEach((f, i) => (out[f] = mapped[i]));
  return out as ImportRequest;
}

/**
 * The agents' log folders as each consumer spells them, all derived from the registry: the
 * defaults (`ServerConfig`'s `claudeDirs`, `geminiDirs`, …), the import request's fields
 * (`claude_dirs`, …) and the folders each kind of log is read from.
 */
import type { ImportRequest } from '../contracts/api';
import type { LogKind } from '../importers/types';
import type { AgentDirsConfig } from './identities';
import { AGENTS, folderAgents } from './registry';
import type { AgentAdapter } from './types';

/** Folder lists by `ServerConfig` field; an agent left out reads no folder. */
export type AgentDirs = Partial<AgentDirsConfig>;

type Lists = Record<string, string[] | undefined>;

/** Every agent's default folders, by `ServerConfig` field. */
export function defaultAgentDirs(env: NodeJS.ProcessEnv, agents: readonly AgentAdapter[] = AGENTS): AgentDirsConfig {
  return Object.fromEntries(folderAgents(agents).map((a) => [a.identity.folders.config, a.defaultDirs?.(env) ?? []])) as AgentDirsConfig;
}

/** The folders each kind of log is read from: its agent's. */
export function dirsByKind(dirs: AgentDirs, agents: readonly AgentAdapter[] = AGENTS): Record<LogKind, string[]> {
  const lists = dirs as Lists;
  return Object.fromEntries(folderAgents(agents).flatMap((a) => a.logSources.map((s) => [s.kind, lists[a.identity.folders.config] ?? []])));
}

/** All the folders named, every agent's. */
export function allDirs(dirs: AgentDirs, agents: readonly AgentAdapter[] = AGENTS): string[] {
  const lists = dirs as Lists;
  return folderAgents(agents).flatMap((a) => lists[a.identity.folders.config] ?? []);
}

/** All the folders a request names, every agent's. */
export function requestDirs(req: ImportRequest, agents: readonly AgentAdapter[] = AGENTS): string[] {
  const lists = req as Lists;
  return folderAgents(agents).flatMap((a) => lists[a.identity.folders.request] ?? []);
}

/**
 * What a request imports: the folders it names, by agent; a request that names no agent's folders
 * imports every agent's defaults, one that names some only those.
 */
export function requestedDirs(req: ImportRequest, defaults: AgentDirs, agents: readonly AgentAdapter[] = AGENTS): AgentDirsConfig {
  const lists = req as Lists;
  const found = defaults as Lists;
  const all = folderAgents(agents).every((a) => !lists[a.identity.folders.request]);
  return Object.fromEntries(
    folderAgents(agents).map((a) => [a.identity.folders.config, lists[a.identity.folders.request] ?? (all ? (found[a.identity.folders.config] ?? []) : [])]),
  ) as AgentDirsConfig;
}

/** The request with each agent's folder list replaced by `map`'s answer (lists it leaves out stay absent). */
export async function mapRequestDirs(req: ImportRequest, map: (dirs: string[] | undefined) => Promise<string[] | undefined>, agents: readonly AgentAdapter[] = AGENTS): Promise<ImportRequest> {
  const lists = req as Lists;
  const fields = folderAgents(agents).map((a) => a.identity.folders.request);
  const mapped = await Promise.all(fields.map((f) => map(lists[f])));
  const out: Lists = { ...lists };
  fields.forEach((f, i) => (out[f] = mapped[i]));
  return out as ImportRequest;
}

/** Only the agents' folder fields of `config`. */
export function pickAgentDirs(config: AgentDirs, agents: readonly AgentAdapter[] = AGENTS): AgentDirs {
  const lists = config as Lists;
  return Object.fromEntries(folderAgents(agents).map((a) => [a.identity.folders.config, lists[a.identity.folders.config] ?? []])) as AgentDirs;
}

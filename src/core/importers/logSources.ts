/**
 * The kinds of log file AgentMonitor reads, from every registered agent's `logSources`
 * (`src/core/agents/`): where the files sit under a configured folder, which files are logs, and
 * the parser that turns their lines into events. Discovery (`discover.ts`), the tailer
 * (`fileTail.ts`), the parse worker and live mode (`liveWatch.ts`) go through this table.
 */
import { AGENTS } from '../agents/registry';
import type { AgentDirs } from '../agents/folders';
import type { AgentAdapter, LogSource } from '../agents/types';
import type { LogKind } from './types';

export const LOG_SOURCES: Readonly<Record<LogKind, LogSource>> = Object.fromEntries(AGENTS.flatMap((a) => a.logSources.map((s) => [s.kind, s])));

/** The folders each kind of log is read from: its agent's. */
export function dirsByKind(dirs: AgentDirs, agents: readonly AgentAdapter[] = AGENTS): Record<LogKind, string[]> {
  const lists = dirs as Record<string, string[] | undefined>;
  return Object.fromEntries(agents.flatMap((a) => (a.identity.folders ? a.logSources.map((s) => [s.kind, lists[a.identity.folders!.config] ?? []]) : [])));
}

/** Discovery order: the agents' order, each agent's main transcripts before the files that refer to them. */
export const LOG_KINDS: readonly LogKind[] = AGENTS.flatMap((a) => a.logSources.map((s) => s.kind));

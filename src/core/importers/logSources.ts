/**
 * The kinds of log file AgentMonitor reads, from every registered agent's `logSources`
 * (`src/core/agents/`): where the files sit under a configured folder, which files are logs, and
 * the parser that turns their lines into events. Discovery (`discover.ts`), the tailer
 * (`fileTail.ts`), the parse worker and live mode (`liveWatch.ts`) go through this table.
 */
import { AGENTS } from '../agents/registry';
import type { LogSource } from '../agents/types';
import type { LogKind } from './types';

export const LOG_SOURCES: Readonly<Record<LogKind, LogSource>> = Object.fromEntries(AGENTS.flatMap((a) => a.logSources.map((s) => [s.kind, s])));

/** Discovery order: the agents' order, each agent's main transcripts before the files that refer to them. */
export const LOG_KINDS: readonly LogKind[] = AGENTS.flatMap((a) => a.logSources.map((s) => s.kind));

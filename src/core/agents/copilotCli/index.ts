/** Copilot CLI: `<copilot home>/session-state/<id>/events.jsonl` and its `session-store.db`, OTLP spans; no hooks. */
import { CopilotParser, isCopilotEventsFile } from '../../importers/copilot';
import { cwdInside, firstLineCwd } from '../../importers/cwdMatch';
import { isCopilotStoreDb, readCopilotStore } from '../../importers/copilotStore';
import { isCopilotSpan, mapCopilotSpan } from '../../otel/copilot';
import type { AgentAdapter } from '../types';
import { copilotDoctor } from './doctor';
import { copilotCliIdentity } from './identity';

/** A Copilot CLI session's `session.start` names its working directory. */
function copilotCwd(o: { type?: string; data?: { context?: { cwd?: unknown } } }): string | null {
  return o.type === 'session.start' && typeof o.data?.context?.cwd === 'string' ? o.data.context.cwd : null;
}

export const copilotCli: AgentAdapter = {
  doctor: copilotDoctor,
  identity: copilotCliIdentity,
  logSources: [
    {
      kind: 'copilot',
      agentType: 'copilot-cli',
      subdirs: ['session-state'],
      accepts: isCopilotEventsFile,
      inCwd: async (file, folders) => cwdInside(await firstLineCwd(file, copilotCwd), folders),
      parser: (file, state) => new CopilotParser(file, state),
    },
    {
      kind: 'copilot-store',
      agentType: 'copilot-cli',
      subdirs: [],
      accepts: isCopilotStoreDb,
      // It holds every project's calls, but only stands in for sessions whose log is gone: an import
      // of some folders' sessions reads their logs and leaves the store alone.
      inCwd: () => false,
      parser: () => {
        throw new Error("Copilot CLI's session store is read by readCopilotStore, not by lines");
      },
      database: readCopilotStore,
    },
  ],
  otel: { spans: { accepts: isCopilotSpan, map: mapCopilotSpan } },
  hooks: {
    cliNames: ['copilot', 'copilot-cli'],
    // Its hook input ({sessionId, timestamp, cwd, toolName, toolArgs, toolResult}, {…, prompt})
    // names no tool call or message id: a hook's call or prompt could not be matched with the log's.
    unsupported:
      'Copilot CLI gets no AgentMonitor hooks: its hook input names no tool call or message id, so its tool calls and prompts ' +
      'would count twice beside its session logs, which AgentMonitor already follows live (~/.copilot/session-state). ' +
      'For each model call as it is made, point its telemetry at AgentMonitor (README, Copilot CLI telemetry).',
  },
};

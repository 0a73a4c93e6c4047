/** Codex: rollouts under `<codex home>/sessions/` and `archived_sessions/`, OTLP logs and counters, hooks. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CodexParser } from '../../importers/codex';
import { cwdInside, firstLineCwd } from '../../importers/cwdMatch';
import { codexHooks } from '../../hooks/hookSettings';
import { CodexBatchState, mapCodexLogRecord } from '../../otel/codex';
import { mapClaudeStyleHook } from '../claudeCode/hookMapping';
import { agentFolder } from '../folders';
import type { AgentAdapter } from '../types';
import { codexDoctor } from './doctor';
import { codexIdentity } from './identity';

export const codexHome = (env: NodeJS.ProcessEnv) => agentFolder(codexIdentity, env);

/** A rollout's `session_meta` names its working directory. */
function codexCwd(o: { type?: string; payload?: { cwd?: unknown } }): string | null {
  return o.type === 'session_meta' && typeof o.payload?.cwd === 'string' ? o.payload.cwd : null;
}

const CODEX_COUNTERS = new Set(['codex.conversation.turn.count', 'codex.tool.call', 'codex.api_request', 'codex.sse_event']);

export const codex: AgentAdapter = {
  doctor: codexDoctor,
  identity: codexIdentity,
  logSources: [
    {
      kind: 'codex',
      agentType: 'codex',
      subdirs: ['sessions', 'archived_sessions'],
      accepts: (p) => p.endsWith('.jsonl'),
      inCwd: async (file, folders) => cwdInside(await firstLineCwd(file, codexCwd), folders),
      parser: (file, state) => new CodexParser(file, state),
      hookTranscript: (sessionId, p) => {
        const base = p.split(/[\\/]/).pop() ?? '';
        return base.startsWith('rollout-') && base.endsWith(`-${sessionId}.jsonl`);
      },
    },
  ],
  otel: {
    service: (s) => /^codex([_-]|$)/.test(s),
    namePrefix: 'codex.',
    // Codex numbers a conversation's responses within one export request.
    logMapper: () => {
      const state = new CodexBatchState();
      return (rec) => mapCodexLogRecord(rec, state);
    },
    keepsCounter: (metric) => CODEX_COUNTERS.has(metric),
  },
  // `--agent all` installs Codex's hooks only where Codex is (its home exists).
  hooks: {
    agent: 'codex',
    cliNames: ['codex'],
    inAll: (env) => fs.existsSync(codexHome(env)),
    settingsFile: (scope, env) => {
      if (scope === 'project') throw new Error('Codex reads hooks from $CODEX_HOME/hooks.json only: use --scope user for codex');
      return path.join(codexHome(env), 'hooks.json');
    },
    settings: (t) => codexHooks(t),
    binName: 'codex',
    configDir: (env) => codexHome(env),
    mapper: () => (payload, ctx) => mapClaudeStyleHook('codex', payload, ctx),
    numberPrompts: true,
  },
};

/** Claude Code: transcripts under `<config dir>/projects/`, OTLP logs and counters, hooks. */
import * as path from 'node:path';
import { ClaudeParser, claudeFileInfo } from '../../importers/claudeCode';
import { claudeFileInCwd } from '../../importers/cwdMatch';
import { claudeHooks } from '../../hooks/hookSettings';
import { mapClaudeLogRecord } from '../../otel/claudeCode';
import { agentFolder } from '../folders';
import type { AgentAdapter } from '../types';
import { claudeDoctor } from './doctor';
import { mapClaudeStyleHook } from './hookMapping';
import { claudeCodeIdentity } from './identity';

const claudeConfigDir = (env: NodeJS.ProcessEnv) => agentFolder(claudeCodeIdentity, env);

/** Session `sessionId`'s transcript `…/projects/<dir>/<session>.jsonl`, or a subagent's `…/projects/<dir>/<session>/subagents/agent-<id>.jsonl`. */
function isClaudeHookTranscript(sessionId: string, p: string): boolean {
  const parts = p.split(/[\\/]/);
  const n = parts.length;
  const base = parts[n - 1];
  if (base === `${sessionId}.jsonl` && parts[n - 3] === 'projects') return true;
  return /^agent-[\w-]+\.jsonl$/.test(base) && parts[n - 2] === 'subagents' && parts[n - 3] === sessionId && parts[n - 5] === 'projects';
}

export const claudeCode: AgentAdapter = {
  doctor: claudeDoctor,
  identity: claudeCodeIdentity,
  logSources: [
    {
      kind: 'claude',
      agentType: 'claude-code',
      subdirs: ['projects'],
      accepts: (p) => p.endsWith('.jsonl'),
      inCwd: claudeFileInCwd,
      parser: (file, state, index) => new ClaudeParser({ path: file, ...claudeFileInfo(file), index }, state),
      hookTranscript: isClaudeHookTranscript,
    },
  ],
  otel: {
    service: (s) => s === 'claude-code',
    namePrefix: 'claude_code.',
    logMapper: () => mapClaudeLogRecord,
    keepsCounter: (metric) => metric.startsWith('claude_code.'),
  },
  hooks: {
    agent: 'claude-code',
    cliNames: ['claude', 'claude-code'],
    inAll: () => true,
    settingsFile: (scope, env, cwd) => (scope === 'user' ? path.join(claudeConfigDir(env), 'settings.json') : path.join(cwd, '.claude', 'settings.json')),
    settings: (t, version) => claudeHooks(t, version),
    binName: 'claude',
    configDir: (env) => claudeConfigDir(env),
    mapper: () => (payload, ctx) => mapClaudeStyleHook('claude-code', payload, ctx),
  },
};

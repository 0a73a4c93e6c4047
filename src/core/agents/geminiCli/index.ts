/** Gemini CLI: chats under `<gemini folder>/tmp/<project>/chats/`, OTLP logs, hooks. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cwdInside } from '../../importers/cwdMatch';
import { geminiFileInfo, GeminiParser, isGeminiChatFile } from '../../importers/gemini';
import { mapGeminiLogRecord } from '../../otel/gemini';
import { agentFolder } from '../folders';
import type { AgentAdapter } from '../types';
import { geminiDoctor } from './doctor';
import { GeminiHookMapper, geminiHooks, isGeminiHookTranscript } from './hooks';
import { geminiCliIdentity } from './identity';

const geminiHome = (env: NodeJS.ProcessEnv) => agentFolder(geminiCliIdentity, env);

export const geminiCli: AgentAdapter = {
  doctor: geminiDoctor,
  identity: geminiCliIdentity,
  logSources: [
    {
      kind: 'gemini',
      agentType: 'gemini-cli',
      subdirs: ['tmp'],
      accepts: isGeminiChatFile,
      inCwd: (file, folders) => cwdInside(geminiFileInfo(file).project, folders),
      wholeFile: (p) => p.endsWith('.json'),
      parser: (file, state) => new GeminiParser(file, state),
      hookTranscript: isGeminiHookTranscript,
    },
  ],
  otel: {
    service: (s) => s === 'gemini-cli',
    namePrefix: 'gemini_cli.',
    logMapper: () => mapGeminiLogRecord,
  },
  // `--agent all` installs Gemini CLI's hooks only where it is (its folder exists).
  hooks: {
    agent: 'gemini-cli',
    cliNames: ['gemini', 'gemini-cli'],
    inAll: (env) => fs.existsSync(geminiHome(env)),
    settingsFile: (scope, env, cwd) => (scope === 'user' ? path.join(geminiHome(env), 'settings.json') : path.join(cwd, '.gemini', 'settings.json')),
    settings: (t) => geminiHooks(t),
    binName: 'gemini',
    configDir: (env) => geminiHome(env),
    mapper: () => {
      const m = new GeminiHookMapper();
      return (payload, ctx) => m.map(payload, ctx);
    },
  },
};

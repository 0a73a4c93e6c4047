/** Gemini CLI: chats under `<gemini folder>/tmp/<project>/chats/`, OTLP logs. */
import * as os from 'node:os';
import * as path from 'node:path';
import { cwdInside } from '../../importers/cwdMatch';
import { geminiFileInfo, GeminiParser, isGeminiChatFile } from '../../importers/gemini';
import { mapGeminiLogRecord } from '../../otel/gemini';
import type { AgentAdapter } from '../types';
import { geminiCliIdentity } from './identity';

/** `$GEMINI_CLI_HOME/.gemini` (the CLI's own override of the home) or `~/.gemini`. */
export function defaultGeminiDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return [path.join(env.GEMINI_CLI_HOME || os.homedir(), '.gemini')];
}

export const geminiCli: AgentAdapter = {
  identity: geminiCliIdentity,
  defaultDirs: defaultGeminiDirs,
  logSources: [
    {
      kind: 'gemini',
      agentType: 'gemini-cli',
      subdirs: ['tmp'],
      accepts: isGeminiChatFile,
      inCwd: (file, folders) => cwdInside(geminiFileInfo(file).project, folders),
      wholeFile: (p) => p.endsWith('.json'),
      parser: (file, state) => new GeminiParser(file, state),
    },
  ],
  otel: {
    service: (s) => s === 'gemini-cli',
    namePrefix: 'gemini_cli.',
    logMapper: () => mapGeminiLogRecord,
  },
};

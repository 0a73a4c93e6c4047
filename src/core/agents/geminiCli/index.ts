/** Gemini CLI: chats under `<gemini folder>/tmp/<project>/chats/`, OTLP logs. */
import { cwdInside } from '../../importers/cwdMatch';
import { geminiFileInfo, GeminiParser, isGeminiChatFile } from '../../importers/gemini';
import { mapGeminiLogRecord } from '../../otel/gemini';
import type { AgentAdapter } from '../types';
import { geminiCliIdentity } from './identity';

export const geminiCli: AgentAdapter = {
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
    },
  ],
  otel: {
    service: (s) => s === 'gemini-cli',
    namePrefix: 'gemini_cli.',
    logMapper: () => mapGeminiLogRecord,
  },
};

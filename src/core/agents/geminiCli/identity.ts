import type { AgentIdentity } from '../identity';

export const geminiCliIdentity = {
  id: 'gemini',
  agentType: 'gemini-cli',
  aliases: ['gemini_cli'],
  name: 'Gemini CLI',
  icon: 'star-full',
  process: { bins: ['gemini'], scripts: ['gemini', 'gemini-cli'] },
  folders: {
    request: 'gemini_dirs',
    config: 'geminiDirs',
    option: 'gemini-dir',
    holds: 'a Gemini CLI folder holding tmp/<project>/chats/',
    logs: 'Gemini CLI chats',
    defaultsText: 'GEMINI_CLI_HOME/.gemini or ~/.gemini',
    lookedIn: 'tmp/<project>/chats/ below each',
    env: 'GEMINI_CLI_HOME',
    // GEMINI_CLI_HOME is the CLI's own override of the home.
    setting: {
      key: 'geminiCliHome',
      description: 'Gemini CLI home: the folder holding its `.gemini/` (chats in `.gemini/tmp/<project>/chats/`), like `GEMINI_CLI_HOME`. Empty: `GEMINI_CLI_HOME` or your home folder.',
    },
    defaults: (env, h) => [h.join(env.GEMINI_CLI_HOME || h.home, '.gemini')],
  },
} as const satisfies AgentIdentity;

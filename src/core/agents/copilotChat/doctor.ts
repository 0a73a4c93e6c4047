/** What `agentmonitor doctor` says of Copilot Chat, when a VS Code user folder holds chat sessions. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DoctorCheck, DoctorOptions } from '../../hooks/doctorKit';
import { hostPaths } from '../folders';
import { copilotChatIdentity } from './identity';

/** Copilot Chat in VS Code, when a VS Code user folder has chat sessions: read from those files. */
export function copilotChatDoctor(o: DoctorOptions): DoctorCheck[] {
  const dirs = copilotChatIdentity.folders.defaults(o.env, hostPaths()).filter((d) => fs.existsSync(path.join(d, 'workspaceStorage')) || fs.existsSync(path.join(d, 'globalStorage', 'emptyWindowChatSessions')));
  if (!dirs.length) return [];
  return [{
    id: 'agents.copilot-chat',
    area: 'agents',
    status: 'ok',
    message: `Copilot Chat: AgentMonitor reads VS Code's chat session files in ${dirs.join(', ')} (\`agentmonitor import\`, and live while the server runs); their tokens are approximate (one count per request, no cache split)`,
  }];
}

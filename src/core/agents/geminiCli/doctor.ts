/** What `agentmonitor doctor` says of Gemini CLI, when it is there: its chat logs, our hooks in both scopes. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hookCheck, type DoctorCheck, type DoctorOptions } from '../../hooks/doctorKit';
import { findOnPath } from '../../hooks/locations';
import { agentFolder } from '../folders';
import { geminiCliIdentity } from './identity';

export function geminiDoctor(o: DoctorOptions): DoctorCheck[] {
  const bin = findOnPath('gemini', o.env);
  const dir = agentFolder(geminiCliIdentity, o.env);
  const hasDir = fs.existsSync(dir);
  if (!bin && !hasDir) return [];
  const where = path.join(dir, 'tmp', '<project>', 'chats');
  const checks: DoctorCheck[] = [
    {
      id: 'agents.gemini-cli',
      area: 'agents',
      status: 'ok',
      message: `Gemini CLI: ${bin ?? '"gemini" not on PATH'}${hasDir ? `, config in ${dir}` : ''}; AgentMonitor reads its chat logs (${where}: \`agentmonitor import\`, and live while the server runs); its telemetry may go to AgentMonitor too (README, Gemini CLI telemetry)`,
    },
  ];
  for (const scope of ['user', 'project'] as const) {
    const c = hookCheck('gemini-cli', scope, 'Gemini CLI', o, true);
    if (c) checks.push(c);
  }
  return checks;
}

/** What `agentmonitor doctor` says of Copilot CLI, when it is there. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DoctorCheck, DoctorOptions } from '../../hooks/doctorKit';
import { findOnPath } from '../../hooks/locations';
import { agentFolder } from '../folders';
import { copilotCliIdentity } from './identity';

/** Copilot CLI, when it is there: read from its session logs (and OTLP when the user points it here). */
export function copilotDoctor(o: DoctorOptions): DoctorCheck[] {
  const bin = findOnPath('copilot', o.env);
  const dir = agentFolder(copilotCliIdentity, o.env);
  const hasDir = fs.existsSync(dir);
  if (!bin && !hasDir) return [];
  const where = path.join(dir, 'session-state', '<session>', 'events.jsonl');
  return [{
    id: 'agents.copilot-cli',
    area: 'agents',
    status: 'ok',
    message: `Copilot CLI: ${bin ?? '"copilot" not on PATH'}${hasDir ? `, config in ${dir}` : ''}; AgentMonitor reads its session logs (${where}: \`agentmonitor import\`, and live while the server runs); its telemetry may go to AgentMonitor too (README, Copilot CLI telemetry); no hooks for it (its hook input names no tool call or message id to match)`,
  }];
}

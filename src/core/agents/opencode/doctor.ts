/** What `agentmonitor doctor` says of OpenCode, when its data folder is there. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DoctorCheck, DoctorOptions } from '../../hooks/doctorKit';
import { findOnPath } from '../../hooks/locations';
import { agentFolder } from '../folders';
import { opencodeIdentity } from './identity';

/** OpenCode, when it is there: read from its database (no hooks or telemetry of ours). */
export function opencodeDoctor(o: DoctorOptions): DoctorCheck[] {
  const bin = findOnPath('opencode', o.env);
  const dir = agentFolder(opencodeIdentity, o.env);
  const hasDir = fs.existsSync(dir);
  if (!bin && !hasDir) return [];
  return [{
    id: 'agents.opencode',
    area: 'agents',
    status: 'ok',
    message: `OpenCode: ${bin ?? '"opencode" not on PATH'}${hasDir ? `, data in ${dir}` : ''}; AgentMonitor reads its database (${path.join(dir, 'opencode.db')}: \`agentmonitor import\`, and live while the server runs); no hooks or telemetry for it`,
  }];
}

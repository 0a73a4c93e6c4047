/** Who answers on the port: nobody, AgentMonitor (with its health), or something else. No `vscode`. */
import type { Health } from '../../core/contracts/api';
import { request } from './http';

export type ProbeResult =
  | { kind: 'free' }
  | { kind: 'agentmonitor'; health: Health }
  | { kind: 'foreign'; detail: string };

export async function probeHealth(baseUrl: string, timeoutMs = 2000): Promise<ProbeResult> {
  try {
    const res = await request(`${baseUrl}/api/health`, { timeoutMs, maxBytes: 256 * 1024 });
    try {
      const body = JSON.parse(res.body) as Partial<Health>;
      if (body && body.service === 'agentmonitor' && typeof body.pid === 'number') return { kind: 'agentmonitor', health: body as Health };
    } catch {
      // fall through: not our JSON
    }
    return { kind: 'foreign', detail: `GET /api/health answered ${res.status} without service "agentmonitor"` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'EADDRNOTAVAIL') return { kind: 'free' };
    return { kind: 'foreign', detail: (err as Error).message };
  }
}

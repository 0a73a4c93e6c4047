/**
 * What `agentmonitor doctor` looks at: each agent's adapter says what it checks
 * (`src/core/agents/<agent>/doctor.ts`, built with `doctorKit.ts`: whether it is installed, our
 * hooks, its telemetry), and whether the server answers — each with the command or the snippet
 * that fixes what is missing. Reads files and PATH, asks `/api/health`; writes nothing.
 */
import { AGENTS } from '../agents/registry';
import type { DoctorCheck, DoctorOptions } from './doctorKit';

export type { CheckStatus, DoctorCheck, DoctorOptions } from './doctorKit';

export interface DoctorReport {
  generated_at: string;
  server_url: string;
  /** False when a check is `error` or `missing` in the agents' hooks or the server. */
  ok: boolean;
  checks: DoctorCheck[];
}

const AREAS: readonly DoctorCheck['area'][] = ['agents', 'hooks', 'telemetry', 'server'];

async function serverCheck(o: DoctorOptions, url: string): Promise<DoctorCheck> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), o.healthTimeoutMs ?? 1500);
  try {
    const r = await fetch(`${url}/api/health`, { signal: ctl.signal });
    const body = (await r.json().catch(() => null)) as Record<string, unknown> | null;
    if (body?.service !== 'agentmonitor') {
      return { id: 'server', area: 'server', status: 'error', message: `something other than AgentMonitor answers on ${url} (HTTP ${r.status})`, fix: 'stop that program or run AgentMonitor on another port: AGENTMONITOR_PORT=<port> agentmonitor serve, then agentmonitor hooks install --port <port>' };
    }
    return { id: 'server', area: 'server', status: 'ok', message: `AgentMonitor ${String(body.version)} answers on ${url} (pid ${String(body.pid)}, database ${String(body.db_path)})` };
  } catch {
    return { id: 'server', area: 'server', status: 'missing', message: `no server answers on ${url}`, fix: `agentmonitor serve${o.port !== 3142 ? ` --port ${o.port}` : ''} (or open VS Code with the AgentMonitor extension)` };
  } finally {
    clearTimeout(timer);
  }
}

export async function runDoctorChecks(o: DoctorOptions): Promise<DoctorReport> {
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  // By area, each area in the agents' order.
  const checks = AGENTS.flatMap((a) => a.doctor?.(o) ?? []).sort((a, b) => AREAS.indexOf(a.area) - AREAS.indexOf(b.area));
  checks.push(await serverCheck(o, url));
  const ok = !checks.some((c) => c.status === 'error' || (c.status === 'missing' && c.area !== 'telemetry'));
  return { generated_at: new Date().toISOString(), server_url: url, ok, checks };
}

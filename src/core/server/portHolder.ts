/**
 * Who holds a port we could not listen on: asks `GET /api/health` there. Another AgentMonitor is
 * named with its pid, database and dashboard URL (so the user can open it, or pick another port);
 * anything else is named as a program that is not AgentMonitor.
 */
import type { Health } from '../contracts/api';

const PROBE_TIMEOUT_MS = 1500;

export type PortHolder =
  | { kind: 'agentmonitor'; url: string; pid: number; dbPath: string; version: string }
  | { kind: 'other'; url: string; detail: string };

export function baseUrl(host: string, port: number): string {
  const h = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export async function probePortHolder(host: string, port: number, token: string | null): Promise<PortHolder> {
  const url = baseUrl(host, port);
  // A timer that holds the event loop: with only an unref'd one (AbortSignal.timeout), a peer that
  // closes the connection without answering left fetch pending and the process exiting with 0.
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), PROBE_TIMEOUT_MS);
  let res: Response;
  let body: Partial<Health> | null;
  try {
    res = await fetch(`${url}/api/health`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: ctl.signal });
    body = (await res.json().catch(() => null)) as Partial<Health> | null;
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = ctl.signal.aborted ? `no answer within ${PROBE_TIMEOUT_MS} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
    return { kind: 'other', url, detail: `it does not answer HTTP (${why})` };
  } finally {
    clearTimeout(timer);
  }
  if (body?.service === 'agentmonitor' && typeof body.pid === 'number') {
    return { kind: 'agentmonitor', url, pid: body.pid, dbPath: String(body.db_path ?? 'unknown'), version: String(body.version ?? '?') };
  }
  if (res.status === 401 && /agentmonitor/i.test(res.headers.get('www-authenticate') ?? '')) {
    return { kind: 'other', url, detail: 'an AgentMonitor that wants a token (AGENTMONITOR_TOKEN) to say which one' };
  }
  return { kind: 'other', url, detail: `GET /api/health answers HTTP ${res.status}, not as AgentMonitor` };
}

/** The message for a port that is taken: who holds it and what to do. */
export function portTakenMessage(host: string, port: number, holder: PortHolder): string {
  if (holder.kind === 'agentmonitor') {
    return (
      `port ${port} on ${host} is taken by another AgentMonitor (pid ${holder.pid}, version ${holder.version}, database ${holder.dbPath}); ` +
      `its dashboard is at ${holder.url}/ — open that, or start this one on another port with --port (or AGENTMONITOR_PORT)`
    );
  }
  return `port ${port} on ${host} is in use by another program, not AgentMonitor (${holder.detail}); stop it, or pick another port with --port (or AGENTMONITOR_PORT)`;
}

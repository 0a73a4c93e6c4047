/**
 * Who wrote a request and from which machine, as a team server's access check (`team/teamAuth.ts`)
 * found them: `res.locals.person` (the token's person) and `res.locals.machine` (the
 * `X-AgentMonitor-Machine` header). The write routes hand both to ingest (`IngestOptions`); on a
 * local server both are undefined.
 */
import type { Request, Response } from 'express';

/** The header naming the machine events come from (`agentmonitor push` sends the host's name). */
export const MACHINE_HEADER = 'x-agentmonitor-machine';
const MAX_MACHINE = 255;

export function writerPerson(res: Response): string | undefined {
  const p: unknown = res.locals.person;
  return typeof p === 'string' ? p : undefined;
}

export function writerMachine(res: Response): string | undefined {
  const m: unknown = res.locals.machine;
  return typeof m === 'string' ? m : undefined;
}

/** The request's machine header: absent → undefined; unusable → an error message naming the header. */
export function machineHeader(req: Request): { machine?: string; error?: string } {
  const raw = req.headers[MACHINE_HEADER];
  if (raw === undefined) return {};
  const v = (Array.isArray(raw) ? raw[0] : raw).trim();
  // eslint-disable-next-line no-control-regex
  if (!v || v.length > MAX_MACHINE || /[\u0000-\u001f\u007f]/.test(v)) {
    return { error: `${MACHINE_HEADER}: expected a machine name of 1 to ${MAX_MACHINE} printable characters` };
  }
  return { machine: v };
}

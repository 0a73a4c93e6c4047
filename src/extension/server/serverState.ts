/** The supervised server as the window sees it. Pure data; the supervisor fires changes. */
export type ServerState =
  | { kind: 'stopped' }
  | { kind: 'starting' }
  /** This window's child process owns the port. */
  | { kind: 'owner'; url: string; pid: number }
  /** Another window's (or a CLI-started) AgentMonitor owns the port; this window reads from it. */
  | { kind: 'follower'; url: string; pid: number }
  /** Something that is not AgentMonitor answers on the port. */
  | { kind: 'foreign'; port: number; message: string }
  /** The child exited unexpectedly; a restart is scheduled. */
  | { kind: 'crashed'; attempt: number; retryInMs: number }
  /** Too many crashes in a row, or the server cannot start at all; waits for "Restart". */
  | { kind: 'failed'; message: string };

export type ServerStateKind = ServerState['kind'];

export function isConnected(s: ServerState): s is Extract<ServerState, { kind: 'owner' | 'follower' }> {
  return s.kind === 'owner' || s.kind === 'follower';
}

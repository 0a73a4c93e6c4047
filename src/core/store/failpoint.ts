/**
 * Crash points for fault tests: with `AGENTMONITOR_FAILPOINT=<name>` in its environment the process
 * kills itself with SIGKILL when it reaches `failpoint(<name>)`, between two steps a real crash
 * could separate. Unset (always, outside those tests) it does nothing.
 */
export function failpoint(name: string): void {
  if (process.env.AGENTMONITOR_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}

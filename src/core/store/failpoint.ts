/**
 * Crash points for fault tests: with `AGENTMONITOR_FAILPOINT=<name>` in its environment the process
 * kills itself with SIGKILL when it reaches `failpoint(<name>)`, between two steps a real crash
 * could separate; `alsoKill` are processes the crash takes down first (the server whose child this
 * is). Unset (always, outside those tests) it does nothing.
 */
export function failpoint(name: string, ...alsoKill: number[]): void {
  if (process.env.AGENTMONITOR_FAILPOINT !== name) return;
  for (const pid of alsoKill) process.kill(pid, 'SIGKILL');
  process.kill(process.pid, 'SIGKILL');
}

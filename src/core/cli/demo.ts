/** Placeholder: `agentmonitor demo` lands with its issue. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('agentmonitor demo: not available yet\n');
  return 2;
}

/** Placeholder: `agentmonitor hooks` lands with its issue. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('agentmonitor hooks: not available yet\n');
  return 2;
}

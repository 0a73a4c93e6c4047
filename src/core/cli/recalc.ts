/** Placeholder: `agentmonitor recalc` lands with its issue. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('agentmonitor recalc: not available yet\n');
  return 2;
}

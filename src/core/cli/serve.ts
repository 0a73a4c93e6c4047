/** Placeholder: `agentmonitor serve` lands with its issue. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('agentmonitor serve: not available yet\n');
  return 2;
}

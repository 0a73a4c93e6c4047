/** Placeholder: `agentmonitor doctor` lands with its issue. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('agentmonitor doctor: not available yet\n');
  return 2;
}

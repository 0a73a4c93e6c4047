/** Placeholder: `agentmonitor import` lands with its issue. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('agentmonitor import: not available yet\n');
  return 2;
}

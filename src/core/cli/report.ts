/** Placeholder: `agentmonitor report` lands with its issue. */
export async function run(_argv: string[]): Promise<number> {
  process.stderr.write('agentmonitor report: not available yet\n');
  return 2;
}

/** Runs an `agentmonitor` CLI subcommand with the editor's Node, bounded in time and output. No `vscode`. */
import { execFile } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(
  execPath: string,
  cliPath: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      execPath,
      [cliPath, ...args],
      { env: { ...opts.env, ELECTRON_RUN_AS_NODE: '1' }, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code === 1 && !stdout ? err.message : '') });
      },
    );
  });
}

/** Minimal leveled logger; the server writes to stderr (the extension shows it in its output channel). */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  debug(msg: string): void;
}

export function stderrLogger(prefix = 'agentmonitor', debug = !!process.env.AGENTMONITOR_DEBUG): Logger {
  const line = (level: string, msg: string) => process.stderr.write(`${new Date().toISOString()} [${level}] ${prefix}: ${msg}\n`);
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
    debug: (m) => { if (debug) line('debug', m); },
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };

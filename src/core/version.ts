/** Replaced at build time by esbuild's define; falls back to package.json in tests. */
declare const __AGENTMONITOR_VERSION__: string | undefined;
export const VERSION: string =
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- tests run the sources unbundled
  typeof __AGENTMONITOR_VERSION__ === 'string' ? __AGENTMONITOR_VERSION__ : (require('../../package.json') as { version: string }).version;

/**
 * The telemetry snippets moved to `../setup/snippets.ts` (one module for every setup snippet);
 * this path stays for its importers.
 */
export * from '../setup/snippets';

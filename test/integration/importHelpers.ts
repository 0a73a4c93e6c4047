/**
 * Shared by the import integration tests: generated logs with their manifest, ccusage 20.0.24 as
 * the side-by-side reference, a core on a temp database, and per-model totals from it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../src/core/config';
import { runImport } from '../../src/core/importers/importRunner';
import { silentLogger } from '../../src/core/log';
import { openCore, type Core } from '../../src/core/runtime';
import { SHARED_DIR } from '../helpers/sharedDir';

export const SHARED = SHARED_DIR;
export const GEN_LOGS = path.join(SHARED, 'tools', 'gen-logs.mjs');
export const FIXTURES = path.join(SHARED, 'fixtures');
const CCUSAGE_BIN = path.resolve(__dirname, '../../node_modules/@ccusage/ccusage-linux-x64/bin/ccusage');

const scratch: string[] = [];
process.on('exit', () => {
  for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
});

/** A temporary folder removed when the process exits (safe to create inside before/after hooks). */
export function scratchDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'agentmonitor-import-'));
  scratch.push(d);
  return d;
}

export interface Manifest {
  truth: { byModel: Record<string, Record<string, number>> };
}

export function generateLogs(kind: 'claude' | 'codex', mb: number, seed: number): { dir: string; manifest: Manifest } {
  const dir = path.join(scratchDir(), kind);
  const manifestFile = `${dir}.manifest.json`;
  execFileSync(process.execPath, [GEN_LOGS, '--kind', kind, '--mb', String(mb), '--seed', String(seed), '--out', dir, '--manifest', manifestFile], { stdio: 'ignore' });
  return { dir, manifest: JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest };
}

/** ccusage's binary, made executable (npm may drop the bit); null where it is not installed. */
export function ccusageBin(): string | null {
  if (!fs.existsSync(CCUSAGE_BIN)) return null;
  try {
    fs.accessSync(CCUSAGE_BIN, fs.constants.X_OK);
  } catch {
    fs.chmodSync(CCUSAGE_BIN, 0o755);
  }
  return CCUSAGE_BIN;
}

/** `ccusage <kind> <report> --json --offline -z UTC` on one folder, with an empty HOME. */
export function ccusage(kind: 'claude' | 'codex', dir: string, report: 'daily' | 'session' = 'daily'): any {
  const bin = ccusageBin();
  if (!bin) throw new Error('ccusage is not installed (npm install)');
  const env = { PATH: process.env.PATH ?? '', HOME: scratchDir(), ...(kind === 'claude' ? { CLAUDE_CONFIG_DIR: dir } : { CODEX_HOME: dir }) };
  return JSON.parse(execFileSync(bin, [kind, report, '--json', '--offline', '-z', 'UTC'], { env, maxBuffer: 64 << 20 }).toString());
}

/** Per-model Claude totals from a ccusage report. */
export function ccusageClaudeByModel(report: any): Record<string, { in: number; out: number; cr: number; cw: number; cost: number }> {
  const m: Record<string, { in: number; out: number; cr: number; cw: number; cost: number }> = {};
  for (const row of report.daily ?? report.sessions) {
    for (const b of row.modelBreakdowns) {
      const x = (m[b.modelName] ??= { in: 0, out: 0, cr: 0, cw: 0, cost: 0 });
      x.in += b.inputTokens;
      x.out += b.outputTokens;
      x.cr += b.cacheReadTokens;
      x.cw += b.cacheCreationTokens;
      x.cost += b.cost;
    }
  }
  return m;
}

/** A core on a fresh database; its folder goes away when the core is closed (not before). */
export async function openTestCore(): Promise<Core & { dbPath: string }> {
  const dir = scratchDir();
  const dbPath = path.join(dir, 'agentmonitor.db');
  const core = await openCore({ config: loadConfig({ HOME: dir } as NodeJS.ProcessEnv, { dbPath }), log: silentLogger });
  const close = core.close.bind(core);
  return Object.assign(core, {
    dbPath,
    async close() {
      await close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}

export function importInto(core: Core, dirs: { claude?: string[]; codex?: string[] }, parseInWorker?: boolean) {
  return runImport({ store: core.store, ingest: core.ingest }, { importId: 'test', claudeDirs: dirs.claude ?? [], codexDirs: dirs.codex ?? [], parseInWorker });
}

export async function byModel(core: Core) {
  const r = await core.store.query('costBreakdown', { by: 'model', tz: 'UTC', since: null, until: null });
  return { rows: Object.fromEntries(r.rows.filter((x) => x.key && x.key !== '(no model)').map((x) => [x.key, x])), totals: r.totals };
}

export async function bySession(core: Core) {
  const r = await core.store.query('costBreakdown', { by: 'session', tz: 'UTC', since: null, until: null });
  return Object.fromEntries(r.rows.map((x) => [x.key, x]));
}

export function relDiff(a: number, b: number): number {
  return b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
}

/** A Claude config dir holding the public and captured transcripts, laid out as `projects/<name>/`. */
export function publicClaudeDir(): string {
  const root = path.join(scratchDir(), 'claude-public');
  const copy = (from: string, to: string) => fs.cpSync(from, path.join(root, 'projects', to), { recursive: true, filter: (s) => !s.endsWith('README.md') });
  copy(path.join(FIXTURES, 'public/spotter/test/fixtures/transcripts'), 'spotter');
  copy(path.join(FIXTURES, 'public/sniffly/tests/mock-data/-Users-chip-dev-ai-music'), 'sniffly');
  copy(path.join(FIXTURES, 'captured/claude-json/claude-config/projects/-home-dev-sandbox-proj'), 'captured');
  return root;
}

export function publicCodexDir(): string {
  const root = path.join(scratchDir(), 'codex-public');
  fs.cpSync(path.join(FIXTURES, 'public/localpush/src-tauri/tests/fixtures/codex/2026-02-23/raw/sessions'), path.join(root, 'sessions/2026/02/23'), { recursive: true });
  fs.cpSync(path.join(FIXTURES, 'captured/codex-json/codex-home/sessions'), path.join(root, 'sessions'), { recursive: true });
  return root;
}

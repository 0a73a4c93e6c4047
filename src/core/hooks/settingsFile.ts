/**
 * Reading and writing a user's JSON settings file safely: a file that is not valid JSON is reported
 * with its line and column and never overwritten; a write keeps a backup of the previous content
 * (`<file>.agentmonitor.bak`) and replaces the file atomically, keeping its permissions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRecord } from './summarize';

export class SettingsFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly column: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line !== null ? `:${line}:${column}` : ''}: ${reason}`);
  }
}

export interface LoadedSettings {
  file: string;
  exists: boolean;
  data: Record<string, unknown>;
}

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function errorPosition(text: string, message: string): { line: number; column: number } | null {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(message);
  if (pos) return lineColumn(text, Number(pos[1]));
  if (/Unexpected end of JSON input/.test(message)) return lineColumn(text, text.length);
  return null;
}

/** Parse settings text; an empty file is an empty object. Throws SettingsFileError naming file, line and column. */
export function parseSettings(file: string, text: string): Record<string, unknown> {
  const body = text.replace(/^\uFEFF/, '');
  if (!body.trim()) return {};
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    const message = (e as Error).message;
    const where = errorPosition(body, message);
    const reason = `invalid JSON: ${message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '')}`;
    throw new SettingsFileError(file, where?.line ?? null, where?.column ?? null, `${reason} (the file was left unchanged)`);
  }
  if (!isRecord(data)) throw new SettingsFileError(file, 1, 1, 'expected a JSON object at the top level (the file was left unchanged)');
  return data;
}

export function readSettings(file: string): LoadedSettings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { file, exists: false, data: {} };
    throw new SettingsFileError(file, null, null, `cannot read: ${(e as Error).message}`);
  }
  return { file, exists: true, data: parseSettings(file, text) };
}

export function backupPath(file: string): string {
  return `${file}.agentmonitor.bak`;
}

/** Write settings atomically; returns the backup path when a previous file was kept. */
export function writeSettings(file: string, data: Record<string, unknown>): string | null {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let mode = 0o644;
  let backup: string | null = null;
  if (fs.existsSync(file)) {
    mode = fs.statSync(file).mode & 0o777;
    backup = backupPath(file);
    fs.copyFileSync(file, backup);
  }
  const tmp = `${file}.agentmonitor-${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  return backup;
}

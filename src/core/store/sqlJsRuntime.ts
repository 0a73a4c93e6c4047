/**
 * Loads sql.js from its shipped `sql-wasm.js` with four patches, in the bundle and under tests alike.
 * The patches are anchored on exact text of sql.js 1.16's build; loading fails loudly (naming the
 * patch) if an upgrade changes that text, rather than running unpatched.
 *
 * 1. File growth. The database file lives in an emscripten in-memory file whose buffer grows by
 *    1.125x past 1 MB, copying the whole file each time: a 170 MB import grows it ~45 times and
 *    copies ~1.5 GB. Doubling makes the copies add up to the file size; untouched capacity is never
 *    resident.
 * 2. `Database.prototype.fileBytes()`: a view of the in-memory database file itself. With our
 *    settings (rollback journal in memory, no open transaction between worker messages) the file
 *    holds exactly the committed database, so a snapshot can write it out without `export()`'s
 *    full copy into a new buffer (on 1M events: a 440 MB allocation and ~1.8 s with the worker
 *    blocked). The view is valid until the next write to the database.
 * 3. `Database.prototype.reserveFile(bytes)`: gives the in-memory file that capacity now, while it
 *    is small, so a bulk import never grows it: each growth copies the file into a buffer twice
 *    its size while the old one is still alive (+174 MB for a moment at the end of the 1 GB
 *    benchmark import). Capacity that is never written is never resident.
 * 4. `Database.prototype.setFileWriteHook(hook)`, called by MEMFS before it changes the file's
 *    bytes: a snapshot written out asynchronously keeps the pages it has not written yet
 *    (`fileSnapshot.ts`), so the store worker goes on reading and writing meanwhile.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type initSqlJs from 'sql.js';
import type { Database } from 'sql.js';

export type SqlJsInit = typeof initSqlJs;

type PatchedDatabase = Database & {
  fileBytes(): Uint8Array;
  reserveFile(bytes: number): void;
  setFileWriteHook(hook: ((position: number, length: number) => void) | null): void;
};

/** The in-memory database file (patch 2 above); valid until the next write to `db`. */
export function databaseFileBytes(db: Database): Uint8Array {
  return (db as PatchedDatabase).fileBytes();
}

/**
 * Call `hook(position, length)` before each change to the in-memory database file's bytes
 * (writes, and truncation with the bytes past the new end); `null` removes it (patch 4 above).
 * The hook must not throw: it runs inside SQLite's write.
 */
export function setFileWriteHook(db: Database, hook: ((position: number, length: number) => void) | null): void {
  (db as PatchedDatabase).setFileWriteHook(hook);
}

/** Most capacity `reserveDatabaseFile` gives; past it, the file grows by doubling as before. */
export const MAX_RESERVED_BYTES = 1 << 30;

/**
 * Give the in-memory database file at least `bytes` of capacity (patch 3 above; at most
 * `MAX_RESERVED_BYTES`). A no-op for an empty file or one that is large enough already.
 */
export function reserveDatabaseFile(db: Database, bytes: number): void {
  (db as PatchedDatabase).reserveFile(Math.min(MAX_RESERVED_BYTES, Math.ceil(bytes)));
}

interface Patch {
  name: string;
  from: string;
  to: string;
}

const PATCHES: Patch[] = [
  { name: 'file growth', from: 'm*(m<1048576?2:1.125)>>>0', to: 'm*2>>>0' },
  {
    // `B` is FS.lookupPath (as used by export: `var r=B(f).node`); `Ua`/`Wa` are a MEMFS node's
    // contents and used bytes (as in MEMFS read: `if(e>=a.node.Wa)return 0`, `a.node.Ua.subarray`).
    name: 'file methods',
    from: 'g.prototype.updateHook=g.prototype.jc;k.Database=g}',
    to:
      'g.prototype.updateHook=g.prototype.jc;k.Database=g;' +
      'function amNode(d){if(!d.db)throw Error("Database closed");return B(d.filename).node}' +
      'g.prototype.fileBytes=function(){var n=amNode(this);' +
      'return n.Ua&&n.Wa?new Uint8Array(n.Ua.buffer,n.Ua.byteOffset,n.Wa):new Uint8Array(0)};' +
      'g.prototype.reserveFile=function(b){var n=amNode(this),o=n.Ua;' +
      'if(o&&n.Wa&&o.length<b){var c=new Uint8Array(b);c.set(o.subarray(0,n.Wa));n.Ua=c}};' +
      'g.prototype.setFileWriteHook=function(f){amNode(this).amBeforeWrite=f||void 0}}',
  },
  {
    // MEMFS write(stream, buffer, offset, length, position, canOwn): the hook sees (position, length).
    name: 'write hook',
    from: 'write(a,b,d,c,e,g){b.buffer===v.buffer&&(g=!1);if(!c)return 0;a=a.node;',
    to: 'write(a,b,d,c,e,g){b.buffer===v.buffer&&(g=!1);if(!c)return 0;a=a.node;a.amBeforeWrite&&a.amBeforeWrite(e,c);',
  },
  {
    // MEMFS setattr with a size (truncate): the bytes past the new size are about to go.
    name: 'truncate hook',
    from: 'b.size!==void 0&&(b=b.size,a.Wa!=b&&(d=a.Ua,',
    to: 'b.size!==void 0&&(b=b.size,a.Wa!=b&&(b<a.Wa&&a.amBeforeWrite&&a.amBeforeWrite(b,a.Wa-b),d=a.Ua,',
  },
];
/** Text that must be present for the names the patches use to mean what they say. */
const ANCHORS = ['var r=B(f).node', 'read(a,b,d,c,e){if(e>=a.node.Wa)return 0;c=Math.min(a.node.Wa-e,c);b.set(a.node.Ua.subarray(e,e+c),d)'];

/** A file of sql.js's `dist/`: beside the bundle in our `dist/`, else in node_modules. */
export function sqlJsDistFile(name: 'sql-wasm.js' | 'sql-wasm.wasm'): string {
  const beside = path.join(__dirname, name);
  if (fs.existsSync(beside)) return beside;
  return path.join(path.dirname(require.resolve('sql.js')), name);
}

export function sqlJsScriptPath(): string {
  return sqlJsDistFile('sql-wasm.js');
}

export function patchSqlJs(src: string, file: string): string {
  for (const a of ANCHORS) {
    if (!src.includes(a)) throw new Error(`${file}: sql.js text "${a}" not found; the patches need review for this sql.js version`);
  }
  for (const p of PATCHES) {
    if (src.split(p.from).length !== 2) throw new Error(`${file}: sql.js patch "${p.name}" did not find its text exactly once; review it for this sql.js version`);
    src = src.replace(p.from, () => p.to);
  }
  return src;
}

/**
 * Each patch as a reviewer reads it: the shipped text around it (`context` characters either side)
 * and the same place patched. `npm run sqljs:patches` prints them for the installed sql.js.
 */
export function patchedRegions(src: string, context = 60): { name: string; before: string; after: string }[] {
  return PATCHES.map((p) => {
    const at = src.indexOf(p.from);
    if (at < 0) return { name: p.name, before: '(not found)', after: '(not found)' };
    const head = src.slice(Math.max(0, at - context), at);
    const tail = src.slice(at + p.from.length, at + p.from.length + context);
    return { name: p.name, before: head + p.from + tail, after: head + p.to + tail };
  });
}

let loaded: SqlJsInit | null = null;

/** The patched `initSqlJs`, loaded once per thread. */
export function loadPatchedSqlJs(file = sqlJsScriptPath()): SqlJsInit {
  if (loaded) return loaded;
  const src = patchSqlJs(fs.readFileSync(file, 'utf8'), file);
  const wrapper = vm.compileFunction(src, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const mod = { exports: {} as Record<string, unknown> };
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  const init = mod.exports as unknown as SqlJsInit;
  if (typeof init !== 'function') throw new Error(`${file}: did not export initSqlJs`);
  loaded = init;
  return init;
}

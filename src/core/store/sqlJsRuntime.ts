/**
 * Loads sql.js from its shipped `sql-wasm.js` with one patch, in four places, in the bundle and
 * under tests alike. The patches are anchored on exact text of sql.js 1.16's build; loading fails
 * loudly (naming the patch) if an upgrade changes that text, rather than running unpatched.
 *
 * The patch: a database file kept on disk (`pagedFile.ts`). sql.js keeps every file in an
 * emscripten in-memory file (MEMFS), so the whole database lived in the wasm heap, which never
 * shrinks: 1M events held ~200 MB of it. `new SQL.Database(pagedFile)` creates the database's
 * file node with a `PagedFile` behind it; MEMFS's read, write and truncation of that node go to the
 * `PagedFile`, which reads unchanged pages from the snapshot file on disk and keeps written pages
 * in memory until the next snapshot. Other files (none with our settings: the rollback journal and
 * temp tables are in memory) stay plain MEMFS files.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type initSqlJs from 'sql.js';
import type { Database } from 'sql.js';
import type { PagedFile } from './pagedFile';

export type SqlJsInit = typeof initSqlJs;

/** `new SQL.Database(file)` on a `PagedFile` (the patched constructor accepts one). */
export function openPagedDatabase(SQL: { Database: new (data?: ArrayLike<number> | Buffer | null) => Database }, file: PagedFile): Database {
  return new SQL.Database(file as unknown as Buffer);
}

interface Patch {
  name: string;
  from: string;
  to: string;
}

// Names in sql.js 1.16's minified build: `g` is Database, `ja` writes a new file, `B` is
// FS.lookupPath, `O` FS.ErrnoError (29: EIO); in MEMFS, `Wa` is a file node's length (`getattr`
// and `llseek` read it), `Ua` its bytes, `ab` its setattr.
const PAGED = 'a.node.amPaged';
const PATCHES: Patch[] = [
  {
    name: 'paged file: constructor',
    from: 'function g(f){this.filename="dbfile_"+(4294967295*Math.random()>>>0);',
    to:
      'function g(f){this.filename="dbfile_"+(4294967295*Math.random()>>>0);' +
      'if(f&&f.amPagedFile){ja(this.filename,new Uint8Array(0));var amN=B("/"+this.filename).node;amN.amPaged=f;amN.Wa=f.size;f=null}',
  },
  {
    name: 'paged file: read',
    from: 'read(a,b,d,c,e){if(e>=a.node.Wa)return 0;',
    to: `read(a,b,d,c,e){if(${PAGED}){var r=${PAGED}.read(b,d,c,e);if(r<0)throw new O(29);return r}if(e>=a.node.Wa)return 0;`,
  },
  {
    name: 'paged file: write',
    from: 'write(a,b,d,c,e,g){b.buffer===v.buffer&&(g=!1);',
    to:
      `write(a,b,d,c,e,g){if(${PAGED}){var r=${PAGED}.write(b,d,c,e);if(r<0)throw new O(29);` +
      `a.node.Wa=${PAGED}.size;a.node.mtime=a.node.ctime=Date.now();return r}b.buffer===v.buffer&&(g=!1);`,
  },
  {
    name: 'paged file: truncate',
    from: 'ab(a,b){for(var d of["mode","atime","mtime","ctime"])b[d]!=null&&(a[d]=b[d]);b.size!==void 0',
    to:
      'ab(a,b){for(var d of["mode","atime","mtime","ctime"])b[d]!=null&&(a[d]=b[d]);' +
      'if(a.amPaged){b.size!==void 0&&(a.amPaged.truncate(b.size),a.Wa=a.amPaged.size);return}b.size!==void 0',
  },
];
/** Text that must be present for the names the patches use to mean what they say. */
const ANCHORS = [
  'var r=B(f).node',
  'function ja(a,b){',
  'read(a,b,d,c,e){if(e>=a.node.Wa)return 0;c=Math.min(a.node.Wa-e,c);b.set(a.node.Ua.subarray(e,e+c),d)',
  'b.size=a.Wa',
  'throw new O(28)',
];

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

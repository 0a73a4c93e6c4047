// `npm run sqljs:patches`: prints each load-time patch of sql.js (store/sqlJsRuntime.ts) as the
// shipped text around it and the same place patched, for the installed sql.js.
import * as fs from 'node:fs';
import { patchedRegions, patchSqlJs, sqlJsScriptPath } from '../src/core/store/sqlJsRuntime';

const file = sqlJsScriptPath();
const src = fs.readFileSync(file, 'utf8');
patchSqlJs(src, file); // throws, naming the patch, if this sql.js does not take one
console.log(`${file}\n`);
for (const r of patchedRegions(src, Number(process.argv[2] ?? 80))) console.log(`${r.name}\n  before: ${r.before}\n  after:  ${r.after}\n`);

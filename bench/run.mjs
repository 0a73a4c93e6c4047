// `npm run bench`: every benchmark in turn, each printing its figures as ratios against a baseline
// measured in the same run. Pass names to run a subset: `node bench/run.mjs ingest import`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);
const all = ['ingest', 'import', 'dashboard', 'hooks', 'bigBody', 'attack', 'team'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
let failed = 0;
for (const name of wanted.length ? wanted : all) {
  const file = path.join(dir, `${name}.mjs`);
  if (!fs.existsSync(file)) {
    console.log(`(no bench/${name}.mjs)`);
    continue;
  }
  console.log(`\n=== bench/${name}.mjs ===`);
  const r = spawnSync(process.execPath, [file, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

// Runs the test suites with node's own test runner (TypeScript through tsx).
// `node test/run.mjs` runs unit + integration + browser (e2e/browser); pass suite names to narrow:
// `node test/run.mjs unit`, `node test/run.mjs integration`, `node test/run.mjs browser`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const suites = { unit: 'test/unit', integration: 'test/integration', browser: 'test/e2e/browser', agents: 'test/e2e/agents', vscode: 'test/e2e/vscode' };
const defaultSuites = ['unit', 'integration', 'browser'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : defaultSuites;

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    // node_modules: the agents suite's CLIs (test/e2e/agents/cli) bring packages with their own tests.
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : find(p);
    return /\.test\.(ts|tsx|mjs)$/.test(d.name) ? [p] : [];
  });
}

const files = wanted.flatMap((s) => {
  if (!suites[s]) { console.error(`unknown suite "${s}" (known: ${Object.keys(suites).join(', ')})`); process.exit(2); }
  return find(path.join(root, suites[s]));
}).sort();
if (!files.length) { console.error('no test files found'); process.exit(1); }

const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files], {
  stdio: 'inherit', cwd: root, env: { ...process.env, AGENTMONITOR_TEST: '1' },
});
process.exit(r.status ?? 1);

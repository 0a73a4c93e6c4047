// Installs the real agent CLIs the agents suite drives (Claude Code, Codex, Gemini CLI, Copilot CLI, OpenCode) into
// test/e2e/agents/cli/node_modules from their own lockfile, pinned to the versions the captures in
// shared/fixtures/captured were made with. Kept apart from the main install: together they weigh
// ~640 MB (native binaries from optional dependencies), which no other suite needs.
// Does nothing when the pinned versions are already there; `npm ci --prefer-offline` reuses the
// npm cache, so a CI run on a machine that installed them once downloads nothing.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const cliDir = path.join(path.dirname(new URL(import.meta.url).pathname), 'cli');
const wanted = JSON.parse(fs.readFileSync(path.join(cliDir, 'package.json'), 'utf8')).devDependencies;
const bins = { '@anthropic-ai/claude-code': 'claude', '@openai/codex': 'codex', '@google/gemini-cli': 'gemini', '@github/copilot': 'copilot', 'opencode-ai': 'opencode' };

function installedVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(cliDir, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function runs(name) {
  const bin = path.join(cliDir, 'node_modules', '.bin', bins[name]);
  // Copilot CLI unpacks itself on its first run into $XDG_CACHE_HOME/copilot: the tests share this one.
  const env = { ...process.env, XDG_CACHE_HOME: path.join(cliDir, 'node_modules', '.copilot-cache'), COPILOT_OFFLINE: 'true' };
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 120_000, env });
  return r.status === 0 && r.stdout.includes(wanted[name]);
}

const stale = Object.keys(wanted).filter((n) => installedVersion(n) !== wanted[n] || !runs(n));
if (!stale.length) {
  console.log(`agent CLIs ready: ${Object.entries(wanted).map(([n, v]) => `${n}@${v}`).join(', ')}`);
  process.exit(0);
}
console.log(`installing agent CLIs (${stale.join(', ')}) into ${cliDir}`);
const r = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: cliDir, stdio: 'inherit', timeout: 600_000 });
if (r.status !== 0) {
  console.error(`npm ci in ${cliDir} failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
const broken = Object.keys(wanted).filter((n) => !runs(n));
if (broken.length) {
  console.error(`installed but not runnable: ${broken.join(', ')} (is the platform's optional dependency missing?)`);
  process.exit(1);
}
console.log('agent CLIs installed');

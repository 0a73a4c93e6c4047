/**
 * What a new user meets on install (issue 22): `npm ci` runs no install script that package.json
 * does not declare (npm 11 warns about each), and the extension's own README (the .vsix's Details
 * page, docs/vsix/README.md) names every command of the palette and every setting. The links of
 * the packaged README are checked on the real .vsix in test/e2e/vscode.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, any>;

test('every dependency with an install script is declared in package.json allowScripts', () => {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const declared = Object.keys(pkg.allowScripts ?? {});
  const withScripts = Object.entries(lock.packages)
    .filter(([key, p]) => key && p.hasInstallScript)
    .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
  assert.ok(withScripts.length > 0, 'the lock lists packages with install scripts');
  for (const name of withScripts) assert.ok(declared.includes(name), `${name} has an install script: say in allowScripts whether it may run`);
  for (const [name, allowed] of Object.entries(pkg.allowScripts)) assert.equal(typeof allowed, 'boolean', `allowScripts.${name}`);
});

test('the extension README names every palette command and every setting', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'docs/vsix/README.md'), 'utf8');
  const hidden = new Set((pkg.contributes.menus.commandPalette as { command: string; when: string }[]).filter((m) => m.when === 'false').map((m) => m.command));
  for (const c of pkg.contributes.commands as { command: string; title: string; category: string }[]) {
    if (hidden.has(c.command)) continue;
    assert.ok(readme.includes(`${c.category}: ${c.title}`), `README names the command "${c.category}: ${c.title}"`);
  }
  const groups = ([] as { properties: Record<string, unknown> }[]).concat(pkg.contributes.configuration);
  for (const key of groups.flatMap((g) => Object.keys(g.properties))) assert.ok(readme.includes(`\`${key}\``), `README names the setting ${key}`);
});

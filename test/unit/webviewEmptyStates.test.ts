/**
 * The dashboard's hints inside VS Code name the extension's commands and settings exactly as the
 * manifest contributes them (issue 19: extension users were told to run the CLI and set env vars).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VSCODE_COMMANDS, VSCODE_SETTINGS } from '../../webview/lib/vscodeHost';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as {
  contributes: { commands: { command: string; title: string; category?: string }[]; configuration: { properties: Record<string, unknown> } | { properties: Record<string, unknown> }[] };
};

test('the commands the dashboard names are the manifest\'s, with their Command Palette titles', () => {
  for (const c of Object.values(VSCODE_COMMANDS)) {
    const m = manifest.contributes.commands.find((x) => x.command === c.id);
    assert.ok(m, `${c.id} is a contributed command`);
    assert.equal(c.title, m.category ? `${m.category}: ${m.title}` : m.title);
  }
});

test('the settings the dashboard names are contributed settings', () => {
  const conf = manifest.contributes.configuration;
  const keys = new Set((Array.isArray(conf) ? conf : [conf]).flatMap((c) => Object.keys(c.properties)));
  for (const key of Object.values(VSCODE_SETTINGS)) assert.ok(keys.has(key), `${key} is a contributed setting`);
});

/**
 * The extension's folder settings are the agents' identities' (`folders.setting`): package.json
 * contributes each one, with the identity's type and description, and no other folder setting.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { settingAgents } from '../../src/extension/settings';

const ROOT = path.resolve(__dirname, '../..');

test("package.json contributes every agent's folder setting as its identity declares it", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties?: Record<string, Record<string, unknown>> }[] } };
  const props = Object.assign({}, ...pkg.contributes.configuration.map((c) => c.properties ?? {})) as Record<string, Record<string, unknown>>;
  const agents = settingAgents();
  assert.deepEqual(agents.map((a) => a.folders.setting.key), ['claudeConfigDirs', 'codexHome', 'geminiCliHome', 'copilotHome', 'opencodeDataHome']);
  for (const { folders: f } of agents) {
    const p = props[`agentMonitor.${f.setting.key}`];
    assert.ok(p, `package.json has no agentMonitor.${f.setting.key}`);
    assert.equal(p.type, f.setting.list ? 'array' : 'string', f.setting.key);
    assert.deepEqual(p.default, f.setting.list ? [] : '', f.setting.key);
    assert.equal(p.markdownDescription, f.setting.description, f.setting.key);
    assert.equal(p.scope, 'machine', f.setting.key);
    assert.ok(String(p.markdownDescription).includes(`\`${f.env}\``), `${f.setting.key} names ${f.env}`);
  }
});

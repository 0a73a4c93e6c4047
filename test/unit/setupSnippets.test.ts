/**
 * One module makes every setup snippet (issue 22): the blocks of README and of the extension's
 * README (docs/vsix) and doctor's fixes are compared with `src/core/setup/snippets.ts`
 * (hooks/codex/otel-config.toml is compared in otelMapping.test.ts).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runDoctorChecks } from '../../src/core/hooks/doctorChecks';
import { claudeCodeTelemetryShell, codexOtelConfig, copilotTelemetryShell, geminiTelemetrySettings } from '../../src/core/setup/snippets';
import { tmpDir } from '../helpers/tmp';

const ROOT = path.resolve(__dirname, '../..');

/** The fenced block after `<!-- snippet: NAME ...-->` in a README, without its indentation. */
function readmeSnippet(name: string, file = 'README.md'): string {
  const readme = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const m = new RegExp(`<!-- snippet: ${name}\\b[^>]*-->\\n( *)\`\`\`\\w*\\n([\\s\\S]*?)\\n\\1\`\`\``).exec(readme);
  assert.ok(m, `${file} has no block marked "snippet: ${name}"`);
  return m[2].split('\n').map((l) => l.slice(m[1].length)).join('\n');
}

test('README and the extension\'s README show exactly the module\'s Claude Code and Codex telemetry snippets', () => {
  for (const file of ['README.md', 'docs/vsix/README.md']) {
    assert.equal(readmeSnippet('claude-telemetry', file), claudeCodeTelemetryShell(), file);
    assert.equal(readmeSnippet('codex-telemetry', file), codexOtelConfig().trimEnd(), file);
  }
});

test('README shows exactly the module\'s Gemini CLI telemetry settings', () => {
  assert.equal(readmeSnippet('gemini-telemetry'), geminiTelemetrySettings());
});

test('README and the extension\'s README show exactly the module\'s Copilot CLI telemetry environment', () => {
  for (const file of ['README.md', 'docs/vsix/README.md']) assert.equal(readmeSnippet('copilot-telemetry', file), copilotTelemetryShell(), file);
});

test('doctor\'s telemetry fixes are the module\'s snippets for its port', async () => {
  const home = tmpDir('cli-snippets-');
  fs.mkdirSync(path.join(home, '.claude'));
  fs.mkdirSync(path.join(home, '.codex'));
  // A port nothing listens on: the server check answers at once.
  const report = await runDoctorChecks({ env: { HOME: home, PATH: '' }, cwd: home, host: '127.0.0.1', port: 1, healthTimeoutMs: 1000 });
  const fix = (id: string) => report.checks.find((c) => c.id === id)?.fix ?? '';
  assert.ok(fix('telemetry.claude-code').endsWith(`\n${claudeCodeTelemetryShell({ port: 1 })}`), fix('telemetry.claude-code'));
  assert.ok(fix('telemetry.codex').endsWith(`\n${codexOtelConfig({ port: 1 }).trimEnd()}`), fix('telemetry.codex'));
});

/**
 * README's CLI table and each command's --help name the same options (issue 19: they disagreed on
 * `hooks status`, `report --by agent` and more). Real `agentmonitor <command> --help` processes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/serveProcess';

const README = fs.readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The command cell of each `agentmonitor <command> …` row of README's CLI table. */
function readmeRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const m of README.matchAll(/^\| `agentmonitor (\w+)([^`]*)` \|/gm)) rows.set(m[1], m[2]);
  return rows;
}

const options = (text: string) => new Set([...text.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]).filter((o) => o !== '--help'));

test('README\'s CLI table and every command\'s --help list the same options, actions and --by groups', async () => {
  const rows = readmeRows();
  const top = await runCli(['--help']);
  const commands = [...top.stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
  assert.deepEqual([...rows.keys()].sort(), commands.sort(), 'README has a row for each command of "agentmonitor --help"');
  for (const [cmd, cell] of rows) {
    const help = await runCli([cmd, '--help']);
    assert.equal(help.code, 0, help.stderr);
    const helpOptions = new Set([...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]));
    assert.deepEqual([...options(cell)].sort(), [...helpOptions].sort(), `agentmonitor ${cmd}: README row vs --help`);
  }
  assert.match(top.stdout, /^ {2}hooks .*\(install\|uninstall\|status\)$/m);
  const hooksHelp = (await runCli(['hooks', '--help'])).stdout;
  assert.match(hooksHelp, /^Usage: agentmonitor hooks install\|uninstall\|status /);
  assert.match(rows.get('hooks')!, /^ install\\\|uninstall\\\|status /);
  assert.match(hooksHelp, /--agent AGENT +claude, codex, gemini or all/);
  assert.match(rows.get('hooks')!, /--agent claude\\\|codex\\\|gemini\\\|all/);
  const byHelp = /--by GROUP +(.*)/.exec((await runCli(['report', '--help'])).stdout)![1];
  const byReadme = /--by ([\w\\|]+)/.exec(rows.get('report')!)![1].split('\\|');
  assert.deepEqual(byReadme.sort(), byHelp.replace(' (default)', '').split(/, | or /).sort());
});
